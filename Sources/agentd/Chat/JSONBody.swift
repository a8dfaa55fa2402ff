import HTTP
import JSON
import Server

/// A JSON request body with typed, validated field reads. Each failure names the field and the accepted
/// form, as the contract asks; unknown fields are ignored.
struct JSONBody {
    let object: JSONObject

    /// Reads the body: a non-JSON content type is 415, bad JSON or a non-object is 400.
    init(_ request: HTTPRequest) throws(APIFailure) {
        if let type = request.headers["Content-Type"]?.lowercased() {
            let mediaType = type.split(separator: ";").first.map { $0.trimmingBlanks() } ?? ""
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

    func has(_ key: String) -> Bool {
        guard let value = object[key] else { return false }
        return !value.isNull
    }

    func string(_ key: String, maxLength: Int, minLength: Int = 0) throws(APIFailure) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .invalid("\(key) must be a string", param: key) }
        guard text.count >= minLength else {
            throw .invalid(minLength == 1 ? "\(key) must not be empty" : "\(key) must have at least \(minLength) characters", param: key)
        }
        guard text.count <= maxLength else { throw .invalid("\(key) must have at most \(maxLength) characters", param: key) }
        return text
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIFailure) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw .invalid("\(key) must be a whole number", param: key) }
        guard range.contains(number) else {
            throw .invalid("\(key) must be from \(range.lowerBound) to \(range.upperBound)", param: key)
        }
        return number
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(APIFailure) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw .invalid("\(key) must be a number", param: key) }
        guard range.contains(number) else {
            throw .invalid("\(key) must be from \(range.lowerBound.formatted) to \(range.upperBound.formatted)", param: key)
        }
        return number
    }

    func bool(_ key: String) throws(APIFailure) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw .invalid("\(key) must be true or false", param: key) }
        return flag
    }
}

extension Double {
    /// 2 → "2", 0.5 → "0.5".
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
