import Testing
@testable import Redis

/// `AGENTD_REDIS_URL`: every accepted form, every refusal with its reason, and a description without the password.
@Suite struct RedisURLTests {
    @Test(arguments: [
        ("redis://localhost", RedisURL(host: "localhost")),
        ("redis://127.0.0.1:6380", RedisURL(host: "127.0.0.1", port: 6380)),
        ("redis://:pw@redis:6379/2", RedisURL(host: "redis", password: "pw", database: 2)),
        ("redis://app:pw@redis", RedisURL(host: "redis", user: "app", password: "pw")),
        ("redis://secret@redis", RedisURL(host: "redis", password: "secret")),
        ("redis://:p%40ss%2Fw%3A@redis", RedisURL(host: "redis", password: "p@ss/w:")),
        ("rediss://cache.example.com:6380", RedisURL(host: "cache.example.com", port: 6380, usesTLS: true)),
        ("redis://[::1]:7000/0", RedisURL(host: "::1", port: 7000)),
        ("redis://redis/", RedisURL(host: "redis")),
    ])
    func accepts(_ text: String, _ expected: RedisURL) throws {
        #expect(try RedisURL(parsing: text) == expected)
    }

    @Test(arguments: [
        ("http://redis", "scheme"), ("redis://", "host is missing"), ("redis://:pw@", "host is missing"),
        ("redis://redis:0", "port"), ("redis://redis:65536", "port"), ("redis://redis:abc", "port"),
        ("redis://redis/x", "database"), ("redis://redis/-1", "database"), ("redis://[::1", "closing ]"),
        ("redis://:%zz@redis", "hex digits"), ("redis://redis?db=1", "query"), ("redis://re dis", "characters"),
    ])
    func refuses(_ text: String, _ reason: String) {
        do {
            _ = try RedisURL(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(reason), "\(text): \(error.description)")
        }
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try RedisURL(parsing: "rediss://app:hunter2@redis:6380/3")
        #expect(url.description == "rediss://app:<redacted>@redis:6380/3")
        #expect(!url.description.contains("hunter2"))
        #expect(try RedisURL(parsing: "redis://[::1]").description == "redis://[::1]:6379")
    }
}
