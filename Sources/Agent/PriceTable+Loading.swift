import JSON

extension PriceTable {
    /// The fields of one entry of the prices file; any other is refused, so that a typo stops the server
    /// at start instead of leaving a price at its built-in value.
    public static let entryFields = ["input_per_million", "output_per_million"]

    /// `builtIn` with the prices file at `path` (`AGENTD_PRICES_FILE`) laid over it; see `load(json:)`.
    /// Every error carries `path`.
    public static func load(path: String) throws(PriceTableError) -> PriceTable {
        let bytes: [UInt8]
        do {
            bytes = try ConfigurationFile.read(path)
        } catch {
            throw PriceTableError(path: path, message: error.message)
        }
        do {
            return try load(json: bytes)
        } catch {
            throw PriceTableError(path: path, message: error.message)
        }
    }

    /// `builtIn` with the prices file's entries laid over it: an entry replaces the built-in price of the
    /// same `provider:model` or adds one.
    ///
    /// `{"openai:gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6}, "groq:*": {...}}`.
    /// Refused, with the entry named: a name that is not `provider:model` or `provider:*`, an entry that is not
    /// an object, an unknown field, a missing field, a price that is not a number or is negative.
    public static func load(json bytes: [UInt8]) throws(PriceTableError) -> PriceTable {
        let object = try PriceTableError.topLevelObject(of: bytes, shape: #"an object of prices by "provider:model", like {"openai:gpt-4o": {"input_per_million": 2.5, "output_per_million": 10}}"#)
        var prices: [String: Price] = [:]
        for (name, fields) in object.members {
            guard split(name) != nil else {
                throw PriceTableError(message: "entry \(quoted(name)): the name must be \"provider:model\", or \"provider:*\" for every model of a provider")
            }
            prices[name] = try decodePrice(entry: "entry \(quoted(name))", fields: fields)
        }
        return builtIn.merging(PriceTable(prices: prices))
    }

    private static func decodePrice(entry: String, fields: JSONValue) throws(PriceTableError) -> Price {
        guard let object = fields.objectValue else {
            throw PriceTableError(message: "\(entry): must be an object with \(entryFields.joined(separator: " and "))")
        }
        for key in object.keys where !entryFields.contains(key) {
            throw PriceTableError(message: "\(entry): unknown field \(quoted(key)); known fields are \(entryFields.joined(separator: ", "))")
        }
        let input = try decodeAmount(entry: entry, field: "input_per_million", in: object)
        let output = try decodeAmount(entry: entry, field: "output_per_million", in: object)
        return Price(inputPerMillionUSD: input, outputPerMillionUSD: output)
    }

    private static func decodeAmount(entry: String, field: String, in object: JSONObject) throws(PriceTableError) -> Double {
        guard let value = object[field] else {
            throw PriceTableError(message: "\(entry): missing field \(field) (USD per million tokens)")
        }
        guard let amount = value.doubleValue else {
            throw PriceTableError(message: "\(entry): \(field) must be a number of USD per million tokens")
        }
        guard amount >= 0 else {
            throw PriceTableError(message: "\(entry): \(field) must not be negative")
        }
        return amount
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
