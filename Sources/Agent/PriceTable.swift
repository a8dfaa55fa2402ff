/// What a call costs: USD per million input and output tokens, by provider and model.
///
/// For `agentd_llm_cost_usd_total`. Immutable, so safe from any thread without a lock. Prices are kept by
/// the provider's configured name, then the model: the built-in ones (`builtIn`) are the list prices of
/// OpenAI and Anthropic under the providers named `openai` and `anthropic`. The kind of a provider grants no
/// prices: a provider `groq` of kind openai serves other models at other prices, so it costs 0 until the
/// prices file (`AGENTD_PRICES_FILE`, `load(path:)`) sets them. An unknown model costs 0, never a guess.
///
/// A model is looked up by its exact name, then by the longest known prefix ending before a `-` and a digit
/// (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `gpt-3.5-turbo-0125` → `gpt-3.5-turbo`),
/// then as the provider's `*` (every other model of that provider: `mock:*`). Only a dash before a digit
/// cuts a name, as dated snapshots are named: `o3-mini` is not priced as `o3`, nor `gpt-4o-audio-preview`
/// as `gpt-4o`. A snapshot priced apart from its family (`gpt-4o-2024-05-13`) has its own entry.
public struct PriceTable: Sendable, Equatable {
    /// USD per million tokens, each direction.
    public struct Price: Sendable, Equatable {
        public var inputPerMillionUSD: Double
        public var outputPerMillionUSD: Double

        public init(inputPerMillionUSD: Double, outputPerMillionUSD: Double) {
            self.inputPerMillionUSD = inputPerMillionUSD
            self.outputPerMillionUSD = outputPerMillionUSD
        }

        public static let free = Price(inputPerMillionUSD: 0, outputPerMillionUSD: 0)
    }

    /// The model name that stands for every model of its provider without an entry of its own.
    public static let anyModel = "*"
    static let tokensPerMillion = 1_000_000.0

    /// Model → price, by provider name. Two levels, so a lookup on the request path builds no string.
    private var pricesByProvider: [String: [String: Price]]

    /// A table of exactly `prices`, keyed by `provider:model` (split at the first ":", as model names are).
    public init(prices: [String: Price] = [:]) {
        pricesByProvider = [:]
        for (name, price) in prices {
            guard let (provider, model) = Self.split(name) else {
                preconditionFailure("price names are \"provider:model\" or \"provider:*\", not \"\(name)\"")
            }
            pricesByProvider[provider, default: [:]][model] = price
        }
    }

    /// Entries, counting each `provider:model` once.
    public var count: Int { pricesByProvider.values.reduce(0) { $0 + $1.count } }

    /// The price for `model` of `provider`: exact, by dated-snapshot prefix, or the provider's `*`; nil when unknown.
    public func price(provider: String, model: String) -> Price? {
        guard let models = pricesByProvider[provider] else { return nil }
        if let price = models[model] { return price }
        var end = model.endIndex
        while let dash = model[..<end].lastIndex(of: "-") {
            let next = model.index(after: dash)
            if next < model.endIndex, model[next].isASCII, model[next].isNumber, let price = models[String(model[..<dash])] {
                return price
            }
            end = dash
        }
        return models[Self.anyModel]
    }

    /// USD for one call; 0 for a model without a price.
    public func costUSD(provider: String, model: String, inputTokens: Int, outputTokens: Int) -> Double {
        guard let price = price(provider: provider, model: model) else { return 0 }
        return (Double(inputTokens) * price.inputPerMillionUSD + Double(outputTokens) * price.outputPerMillionUSD)
            / Self.tokensPerMillion
    }

    /// This table with `other`'s entries added, replacing any of the same `provider:model`.
    public func merging(_ other: PriceTable) -> PriceTable {
        var merged = self
        for (provider, models) in other.pricesByProvider {
            merged.pricesByProvider[provider, default: [:]].merge(models) { _, theirs in theirs }
        }
        return merged
    }

    /// `provider:model` split at the first ":"; nil when either side is empty.
    static func split(_ name: String) -> (provider: String, model: String)? {
        guard let colon = name.firstIndex(of: ":") else { return nil }
        let provider = name[..<colon]
        let model = name[name.index(after: colon)...]
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        return (String(provider), String(model))
    }
}
