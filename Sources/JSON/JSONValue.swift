/// A JSON value (RFC 8259). Objects keep their keys in order, so what passes through comes out as it went in.
///
/// A value owns no shared state: it is a tree of enums, arrays and strings, safe to send anywhere.
/// Read one with `JSONValue.parse(_:limits:)` (JSONValue+Parsing.swift), write one with `serialize(into:)`
/// (JSONValue+Serialization.swift); look inside with the accessors in JSONValue+Accessors.swift.
///
/// Equality is structural: `.integer(1)` and `.double(1.0)` are different values, and object members compare
/// in order. Strings compare as Swift strings do (canonical equivalence); object keys are matched by their
/// exact bytes (see `JSONObject`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits an Int.
    case integer(Int)
    /// Any other finite number. Parsing never produces an infinity or NaN; serializing one writes `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}
