import Glibc

/// The members of a JSON object, in order. Look-up by key is linear: objects on this path are small.
///
/// Keys are matched by their exact UTF-8 bytes, not by Swift's canonical equivalence: RFC 8259 §8.3 compares
/// names code unit by code unit, and a proxy must not merge "é" (U+00E9) with "e\u{301}".
/// The parser never produces two members with the same key (the last one written wins, in the place of the
/// first). `members` is public, so a caller can build duplicates by hand; the subscript then sees the first.
public struct JSONObject: Sendable, Hashable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }

    /// The keys, in member order.
    public var keys: [String] { members.map(\.key) }

    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    /// The value of the first member named `key`, or nil.
    ///
    /// Setting a value replaces that member's value in place, or appends a member when there is none.
    /// Setting `nil` removes the member, as with `Dictionary`: to store JSON null, assign `.null`.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(forKey: key) else { return nil }
            return members[index].value
        }
        set {
            guard let newValue else {
                removeValue(forKey: key)
                return
            }
            if let index = index(forKey: key) {
                members[index].value = newValue
            } else {
                members.append((key, newValue))
            }
        }
    }

    /// Removes the first member named `key` and returns its value, or returns nil when there is none.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return members.remove(at: index).value
    }

    /// The position in `members` of the first member named `key`.
    /// A loop over indices: a closure over the members would copy each one (its key and value) to compare.
    public func index(forKey key: String) -> Int? {
        for index in members.indices where Self.sameKey(members[index].key, key) { return index }
        return nil
    }

    /// Whether two keys are the same JSON name: the same UTF-8 bytes.
    ///
    /// Compares the contiguous UTF-8 of both (every native string, small ones too) byte by byte; a bridged
    /// string without contiguous storage goes through its UTF-8 view.
    @inline(__always)
    static func sameKey(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        let compared = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
            }
        }
        if let compared, let compared { return compared }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }
}

/// A key that hashes and compares by its exact bytes, for the parser's index of a large object's members.
struct ExactKey: Hashable {
    let string: String

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { JSONObject.sameKey(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }
}
