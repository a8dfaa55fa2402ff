import Locks

/// Pub/sub on a connection of its own (RESP3: messages arrive as push data between replies).
///
/// Owner: `routes` (a lock) holds the handlers by channel; the client owns the connection, which renews every
/// subscription after each reconnect (`onReady`) and then tells every handler with `.resubscribed`, since
/// messages published while it was down are lost: a handler that must miss nothing reads the state again.
/// Handlers run on the subscriber connection's thread and must not block.
public final class RedisSubscriber: Sendable {
    public enum Delivery: Sendable {
        case message([UInt8])
        /// The connection came back: anything published meanwhile was missed.
        case resubscribed
    }

    public typealias Handler = @Sendable (Delivery) -> Void

    /// A subscription, to end it with `unsubscribe`.
    public struct Token: Sendable, Hashable {
        let channel: String
        let number: Int
    }

    struct Routes {
        var handlers: [String: [Int: Handler]] = [:]
        var next = 0
    }

    public let client: RedisClient
    private let routes: Locked<Routes>
    /// The client, for its own `onReady`: emptied by `stop` (else client and closure hold each other for ever).
    private let clientBox: Locked<RedisClient?>

    public init(settings: RedisClient.Settings, observer: (any RedisObserver)? = nil) throws(RedisError) {
        var settings = settings
        settings.connections = 1
        settings.scripts = []
        let routes = Locked(Routes())
        let box = Locked<RedisClient?>(nil)
        settings.onPush = { items in RedisSubscriber.route(items, routes) }
        settings.onReady = {
            guard let client = box.withLock({ $0 }) else { return }
            let channels = routes.withLock { Array($0.handlers.keys) }
            guard !channels.isEmpty else { return }
            RedisSubscriber.sendSubscribe(channels, on: client) { _ in }
            let handlers = routes.withLock { $0.handlers.values.flatMap(\.values) }
            for handler in handlers { handler(.resubscribed) }
        }
        self.routes = routes
        clientBox = box
        let client = try RedisClient(settings: settings, observer: observer)
        self.client = client
        box.withLock { $0 = client }
    }

    public func start() { client.start() }

    /// Stops the connection and drops every handler: none runs again, and what they hold (their owner, often)
    /// is released.
    public func stop() {
        client.stop()
        routes.withLock { $0.handlers.removeAll() }
        clientBox.withLock { $0 = nil }
    }

    /// Subscribes `handler` to `channel`; `ready` runs once Redis confirmed the subscription (every message
    /// published after that reaches the handler), or with why it could not.
    public func subscribe(
        _ channel: String, handler: @escaping Handler, ready: @escaping @Sendable (Result<Token, RedisError>) -> Void
    ) {
        let (token, first) = routes.withLock { routes -> (Token, Bool) in
            let number = routes.next
            routes.next += 1
            let first = routes.handlers[channel] == nil
            routes.handlers[channel, default: [:]][number] = handler
            return (Token(channel: channel, number: number), first)
        }
        guard first else {
            // Already subscribed for another handler: confirmed when that subscription was. A PING behind it
            // on the same connection still orders this after any confirmation under way.
            client.send(["PING"], operation: "subscribe") { [self] result in
                if case .failure = result { unsubscribe(token) }
                ready(result.map { _ in token })
            }
            return
        }
        RedisSubscriber.sendSubscribe([channel], on: client) { [self] result in
            if case .failure = result { unsubscribe(token) }
            ready(result.map { _ in token })
        }
    }

    public func unsubscribe(_ token: Token) {
        let last = routes.withLock { routes -> Bool in
            guard routes.handlers[token.channel]?.removeValue(forKey: token.number) != nil else { return false }
            guard routes.handlers[token.channel]?.isEmpty == true else { return false }
            routes.handlers[token.channel] = nil
            return true
        }
        // A message that was under way may still arrive for the channel: `route` finds no handler and drops it.
        if last { RedisSubscriber.sendWithPing(["UNSUBSCRIBE", token.channel], on: client, operation: "unsubscribe") { _ in } }
    }

    /// Subscribes `handler` to `channel` for the subscriber's whole life: renewed after every reconnect, and
    /// taken as soon as Redis is reachable (nothing to wait for).
    public func subscribeForever(_ channel: String, handler: @escaping Handler) {
        let first = routes.withLock { routes -> Bool in
            let number = routes.next
            routes.next += 1
            let first = routes.handlers[channel] == nil
            routes.handlers[channel, default: [:]][number] = handler
            return first
        }
        if first { RedisSubscriber.sendSubscribe([channel], on: client) { _ in } }
    }

    /// Subscriptions open now (tests).
    public var channelCount: Int { routes.withLock { $0.handlers.count } }

    /// `SUBSCRIBE` answers with push data only (one confirmation per channel), so a `PING` follows it on the same
    /// connection and its reply, in order behind the confirmations, completes the command.
    static func sendSubscribe(_ channels: [String], on client: RedisClient, completion: @escaping RedisConnection.Completion) {
        sendWithPing(["SUBSCRIBE"] + channels, on: client, operation: "subscribe", completion: completion)
    }

    /// A command whose answer is push data (SUBSCRIBE, UNSUBSCRIBE), then a PING whose reply completes it.
    static func sendWithPing(
        _ arguments: [String], on client: RedisClient, operation: String, completion: @escaping RedisConnection.Completion
    ) {
        var bytes: [UInt8] = []
        RESPEncoder.appendCommand(arguments, to: &bytes)
        RESPEncoder.appendCommand(["PING"], to: &bytes)
        client.pick().send(bytes, operation: operation, completion: completion)
    }

    /// `message <channel> <payload>` to the channel's handlers; confirmations and other pushes are dropped.
    static func route(_ items: [RESPValue], _ routes: Locked<Routes>) {
        guard items.count == 3, items[0].bytes.map({ String(decoding: $0, as: UTF8.self) }) == "message",
            let channelBytes = items[1].bytes, let payload = items[2].bytes
        else { return }
        let channel = String(decoding: channelBytes, as: UTF8.self)
        let handlers = routes.withLock { $0.handlers[channel].map { Array($0.values) } ?? [] }
        for handler in handlers { handler(.message(payload)) }
    }
}
