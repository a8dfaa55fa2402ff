extension PriceTable {
    /// List prices in USD per million tokens (input, output), as published by OpenAI and Anthropic in 2025.
    ///
    /// Standard tier, no batch or cached-input discounts: the metric is an estimate of spend, and a
    /// deployment with negotiated prices overrides them in `AGENTD_PRICES_FILE`. The mock costs nothing.
    public static let builtIn = PriceTable(prices: [
        "openai:gpt-4o": price(2.50, 10.00),
        // The first gpt-4o snapshot kept its launch price; without this it would fall back to gpt-4o's.
        "openai:gpt-4o-2024-05-13": price(5.00, 15.00),
        "openai:gpt-4o-mini": price(0.15, 0.60),
        "openai:gpt-4.1": price(2.00, 8.00),
        "openai:gpt-4.1-mini": price(0.40, 1.60),
        "openai:gpt-4.1-nano": price(0.10, 0.40),
        "openai:o3": price(2.00, 8.00),
        "openai:o4-mini": price(1.10, 4.40),
        "openai:gpt-3.5-turbo": price(0.50, 1.50),

        "anthropic:claude-3-5-haiku-latest": price(0.80, 4.00),
        "anthropic:claude-3-5-haiku-20241022": price(0.80, 4.00),
        "anthropic:claude-3-5-sonnet-latest": price(3.00, 15.00),
        "anthropic:claude-3-5-sonnet-20241022": price(3.00, 15.00),
        "anthropic:claude-3-5-sonnet-20240620": price(3.00, 15.00),
        "anthropic:claude-3-7-sonnet-latest": price(3.00, 15.00),
        "anthropic:claude-3-7-sonnet-20250219": price(3.00, 15.00),
        "anthropic:claude-sonnet-4-0": price(3.00, 15.00),
        "anthropic:claude-sonnet-4-20250514": price(3.00, 15.00),
        "anthropic:claude-opus-4-0": price(15.00, 75.00),
        "anthropic:claude-opus-4-20250514": price(15.00, 75.00),
        "anthropic:claude-3-opus-latest": price(15.00, 75.00),
        "anthropic:claude-3-opus-20240229": price(15.00, 75.00),

        "mock:*": .free,
    ])

    private static func price(_ inputPerMillionUSD: Double, _ outputPerMillionUSD: Double) -> Price {
        Price(inputPerMillionUSD: inputPerMillionUSD, outputPerMillionUSD: outputPerMillionUSD)
    }
}
