import HTTP
import Inbound
import JSON
import Server

/// A JSON request body with typed, validated field reads. Each failure names the field and the accepted
/// form, as docs/api.md promises (Errors); unknown fields are ignored ("Base URL and protocol").
struct JSONBody {
    let object: JSONObject

    /// Reads the body: a non-JSON content type is 415, bad JSON or a non-object is 400.
    init(_ request: HTTPRequest) throws(APIFailure) {
        // The usual exact value is settled without building the lowercased media type.
        if let type = request.headers["Content-Type"], type != "application/json" {
            let mediaType = JSONBody.mediaType(type)
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw APIFailure(status: .unsupportedMediaType, type: "unsupported_media_type",
                                 message: "the body must be application/json, not \(mediaType)")
            }
        }
        guard !request.body.isEmpty else { throw .invalid("the body is empty; expected a JSON object") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(request.body)
        } catch {
            throw .invalid("the body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw .invalid("the body must be a JSON object") }
        self.object = object
    }

    /// The media type of a Content-Type value, lowercased, without parameters or surrounding blanks:
    /// "Application/JSON; charset=utf-8" → "application/json". On every request, so it avoids split and
    /// lowercased() (both allocate).
    static func mediaType(_ contentType: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        for byte in contentType.utf8 {
            if byte == UInt8(ascii: ";") { break }
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    var fields: JSONFields { JSONFields(object) }

    func has(_ key: String) -> Bool { fields.has(key) }

    func string(_ key: String, maxLength: Int, minLength: Int = 0) throws(APIFailure) -> String? {
        do { return try fields.string(key, maxLength: maxLength, minLength: minLength) } catch { throw APIFailure(error) }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIFailure) -> Int? {
        do { return try fields.int(key, in: range) } catch { throw APIFailure(error) }
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(APIFailure) -> Double? {
        do { return try fields.double(key, in: range) } catch { throw APIFailure(error) }
    }

    func bool(_ key: String) throws(APIFailure) -> Bool? {
        do { return try fields.bool(key) } catch { throw APIFailure(error) }
    }
}

extension Double {
    /// 2 → "2", 0.5 → "0.5".
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
