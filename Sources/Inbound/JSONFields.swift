#if canImport(JSON)
import JSON
#endif

/// Typed, checked reads of a JSON request object's fields. Each failure names the field and the accepted
/// form; unknown fields are ignored. Pure: no I/O, no state.
public struct JSONFields: Sendable {
    public let object: JSONObject

    public init(_ object: JSONObject) { self.object = object }

    public func has(_ key: String) -> Bool {
        guard let value = object[key] else { return false }
        return !value.isNull
    }

    public func string(_ key: String, maxLength: Int, minLength: Int = 0) throws(InboundError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .invalid("\(key) must be a string", param: key) }
        // A character takes at least one UTF-8 byte: the byte count settles most checks without counting
        // characters (grapheme breaking is slow on long texts).
        let bytes = text.utf8.count
        let tooShort = minLength <= 1 ? bytes < minLength : bytes < minLength || text.count < minLength
        guard !tooShort else {
            throw .invalid(minLength == 1 ? "\(key) must not be empty" : "\(key) must have at least \(minLength) characters", param: key)
        }
        guard bytes <= maxLength || text.count <= maxLength else {
            throw .invalid("\(key) must have at most \(maxLength) characters", param: key)
        }
        return text
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws(InboundError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw .invalid("\(key) must be a whole number", param: key) }
        guard range.contains(number) else {
            throw .invalid("\(key) must be from \(range.lowerBound) to \(range.upperBound)", param: key)
        }
        return number
    }

    public func double(_ key: String, in range: ClosedRange<Double>) throws(InboundError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw .invalid("\(key) must be a number", param: key) }
        guard range.contains(number) else {
            throw .invalid("\(key) must be from \(JSONFields.text(range.lowerBound)) to \(JSONFields.text(range.upperBound))", param: key)
        }
        return number
    }

    public func bool(_ key: String) throws(InboundError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw .invalid("\(key) must be true or false", param: key) }
        return flag
    }

    /// 2 → "2", 0.5 → "0.5".
    static func text(_ number: Double) -> String { number == number.rounded() ? String(Int(number)) : String(number) }
}
