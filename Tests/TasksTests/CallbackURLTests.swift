import LLM
import Testing
@testable import Tasks

@Suite struct CallbackURLTests {
    @Test(arguments: [
        "http://example.com/hooks",
        "https://example.com",
        "HTTPS://Example.COM:8443/a/b?c=d&e=f#frag",
        "http://127.0.0.1:9000/hook",
        "http://[::1]:8080/hook",
        "https://hooks.example.com:443/",
        "http://localhost:/empty-port-means-default",
        "https://bücher.example/callback",
    ])
    func acceptsHTTPAndHTTPSURLsWithAHost(url: String) {
        #expect(CallbackURL.validate(url) == nil)
    }

    @Test(arguments: [
        ("ftp://example.com/file", "scheme must be http or https"),
        ("file:///etc/passwd", "scheme must be http or https"),
        ("javascript:alert(1)", "scheme must be http or https"),
        ("gopher://example.com", "scheme must be http or https"),
        ("example.com/hook", "no scheme"),
        ("http:example.com", "must be absolute"),
        ("https://user:pass@example.com/hook", "credentials"),
        ("https://token@example.com/hook", "credentials"),
        ("http:///path-only", "no host"),
        ("http://", "no host"),
        ("http://:8080/", "no host"),
        ("", "empty"),
        ("https://example.com/" + String(repeating: "a", count: 2_048), "longer than 2048"),
        ("https://exa mple.com/", "space or a control character"),
        ("https://example.com/\r\nX-Injected: 1", "space or a control character"),
        (#"https://evil.example\@good.example/"#, "credentials"),
        (#"https://evil.example\.good.example/"#, "host contains a character"),
        ("http://example.com:0/", "port"),
        ("http://example.com:65536/", "port"),
        ("http://example.com:http/", "port"),
        ("http://[::1/", "closing ]"),
        ("http://[example.com]/", "not an IPv6 address"),
        ("http://[::1]x/", "other than a port"),
    ])
    func refusesAnythingElseNamingTheProblem(url: String, problem: String) throws {
        let message = try #require(CallbackURL.validate(url))
        #expect(message.contains(problem), "\(url): \(message)")
    }

    @Test func exactlyTheMaximumLengthIsAccepted() {
        let prefix = "https://example.com/"
        let url = prefix + String(repeating: "a", count: CallbackURL.maxLength - prefix.utf8.count)
        #expect(url.utf8.count == CallbackURL.maxLength)
        #expect(CallbackURL.validate(url) == nil)
        #expect(CallbackURL.validate(url + "a") != nil)
    }

    @Test func retryAfterReadsDeltaSecondsOnly() {
        #expect(WebhookDelivery.retryAfterMs(fromSeconds: "1") == 1_000)
        #expect(WebhookDelivery.retryAfterMs(fromSeconds: " 2 ") == 2_000)
        #expect(WebhookDelivery.retryAfterMs(fromSeconds: "0") == 0)
        #expect(WebhookDelivery.retryAfterMs(fromSeconds: "99999999999999999999") == Int.max)
        #expect(WebhookDelivery.retryAfterMs(fromSeconds: "9223372036854775807") == Int.max)
        for text in ["", " ", "-1", "1.5", "1e9", "inf", "nan", "Wed, 21 Oct 2015 07:28:00 GMT", "1 2"] {
            #expect(WebhookDelivery.retryAfterMs(fromSeconds: text) == nil, "\(text)")
        }
    }

    @Test func only408And429And5xxAreRetried() {
        for status in [408, 429, 500, 502, 503, 504, 507, 599] {
            #expect(WebhookDelivery.failure(status: status, head: nil).isRetryable, "\(status)")
        }
        for status in [301, 304, 400, 401, 403, 404, 409, 410, 413, 422] {
            #expect(!WebhookDelivery.failure(status: status, head: nil).isRetryable, "\(status)")
        }
        let head = TransferHead(status: 429, headers: [("Retry-After", "3")])
        #expect(WebhookDelivery.failure(status: 429, head: head).retryAfterMs == 3_000)
    }
}
