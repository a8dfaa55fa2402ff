/// The configured API keys, kept only as SHA-256 digests, and the check of a presented key against them.
///
/// An immutable value, built once at startup and shared freely across threads. It never holds a plain key: plain
/// keys from `AGENTD_API_KEYS` are hashed in `init` and dropped; keys from `AGENTD_API_KEYS_FILE` arrive hashed.
/// Its `description` and mirror show only the names, so logging the store logs no key material.
///
/// `authenticate` compares the presented key's digest with every stored digest in constant time: no early exit
/// on the first differing byte, nor on a match, and the match is selected with masks rather than a branch. Since
/// what is compared are digests, a timing leak would at most reveal bytes of a hash; the constant-time loop
/// removes even that. (docs/api.md, Authentication: "only SHA-256 digests are kept, and a presented key is
/// compared with every digest in constant time".)
public struct APIKeyStore: Sendable, CustomStringConvertible, CustomReflectable {
    /// The longest name a key may have in `AGENTD_API_KEYS_FILE`, in characters.
    public static let maxNameLength = 64

    /// The keys' names, in the order of `digests`.
    public let names: [String]
    /// Every digest, `SHA256.digestByteCount` bytes each, one after the other: one allocation to scan.
    private let digests: [UInt8]

    /// A store of `plainKeys` (named `key1`, `key2`, … by position) followed by `hashedKeys`.
    ///
    /// Names are not checked for uniqueness across the two lists: a file that also names a key `key1` shares
    /// rate limits and budgets with the first plain key, which is the operator's call.
    public init(plainKeys: [String], hashedKeys: [(name: String, hash: [UInt8])]) {
        var names: [String] = []
        var digests: [UInt8] = []
        names.reserveCapacity(plainKeys.count + hashedKeys.count)
        digests.reserveCapacity((plainKeys.count + hashedKeys.count) * SHA256.digestByteCount)
        for (index, key) in plainKeys.enumerated() {
            precondition(
                !key.isEmpty,
                "an empty API key would admit any request that sends an empty key; drop empty entries (parsePlainKeys does)"
            )
            names.append("\(APIKeyStore.plainKeyNamePrefix)\(index + 1)")
            digests.append(contentsOf: SHA256.hash(key.utf8))
        }
        for (name, hash) in hashedKeys {
            precondition(hash.count == SHA256.digestByteCount, "a hashed API key is a SHA-256 digest of 32 bytes; key \(name) has \(hash.count)")
            precondition(!name.isEmpty, "every hashed API key needs a name, to log and to key limits on")
            names.append(name)
            digests.append(contentsOf: hash)
        }
        self.names = names
        self.digests = digests
    }

    /// Plain keys are named this followed by their position from 1: `key1`, `key2`, …
    public static let plainKeyNamePrefix = "key"

    /// How many keys the store holds.
    public var count: Int { names.count }

    /// Whether no key is configured: then the daemon runs without authentication.
    public var isEmpty: Bool { names.isEmpty }

    /// The identity of the key `presented`, or nil when it matches none (an empty key never matches).
    ///
    /// Hashes `presented` once, then reads every byte of every stored digest whatever they contain.
    public func authenticate(_ presented: String) -> APIKeyIdentity? {
        guard !presented.isEmpty, !isEmpty else { return nil }
        let presentedDigest = SHA256.hash(presented.utf8)
        var matchedIndex = 0
        var matchedAny: UInt32 = 0
        digests.withUnsafeBufferPointer { stored in
            presentedDigest.withUnsafeBufferPointer { digest in
                for index in 0..<names.count {
                    let base = index * SHA256.digestByteCount
                    var difference: UInt8 = 0
                    for offset in 0..<SHA256.digestByteCount {
                        difference |= stored[base + offset] ^ digest[offset]
                    }
                    // 1 when every byte was equal: 0 − 1 wraps to all ones, any 1…255 − 1 keeps bit 31 clear.
                    let isMatch = (UInt32(difference) &- 1) >> 31
                    let mask = 0 &- Int(isMatch)
                    matchedIndex = (index & mask) | (matchedIndex & ~mask)
                    matchedAny |= isMatch
                }
            }
        }
        // Whether the key was accepted is no secret: the response says so.
        return matchedAny == 1 ? APIKeyIdentity(name: names[matchedIndex]) : nil
    }

    public var description: String {
        "APIKeyStore(\(count) \(count == 1 ? "key" : "keys"): \(names.joined(separator: ", ")))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["names": names], displayStyle: .struct)
    }
}
