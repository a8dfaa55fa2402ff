/// A response cache key compared by its exact UTF-8 bytes, not by Swift's canonical equivalence.
///
/// The caller builds the key from the canonical JSON of model, messages and parameters. Two requests that
/// differ only in Unicode normalization ("é" as U+00E9 or as "e\u{301}") are different requests to the
/// upstream (they tokenize differently), so they must not share an answer: `JSONObject` draws the same line
/// (RFC 8259 §8.3). The whole key is stored and compared, so no hash collision can ever serve one request's
/// answer to another; the hash only spreads keys over buckets.
struct ResponseCacheKey: Hashable, Sendable {
    let text: String

    init(_ text: String) {
        var text = text
        // Native contiguous UTF-8 makes hashing and comparing one pass over bytes; a bridged or lazily
        // built string is copied once here rather than walked slowly on every probe.
        text.makeContiguousUTF8()
        self.text = text
    }

    static func == (lhs: ResponseCacheKey, rhs: ResponseCacheKey) -> Bool {
        lhs.text.utf8.count == rhs.text.utf8.count && lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}
