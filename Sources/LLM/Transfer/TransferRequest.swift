/// One HTTP request to an upstream, as the transfer engine performs it.
public struct TransferRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Time to establish the connection (TCP and TLS).
    public var connectTimeoutMs: Int
    /// The whole call, first byte to last; 0 for none.
    public var totalTimeoutMs: Int
    /// Longest silence between two pieces of the response once it started; 0 for none.
    public var idleTimeoutMs: Int
    /// A PEM file of CA certificates to trust instead of the system's (an upstream behind a private CA).
    public var caFile: String?

    public init(
        url: String, method: String = "POST", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        connectTimeoutMs: Int = 5_000, totalTimeoutMs: Int = 120_000, idleTimeoutMs: Int = 30_000, caFile: String? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.caFile = caFile
    }
}

/// The status line and header fields of an upstream response.
public struct TransferHead: Sendable, Equatable {
    public var status: Int
    /// The fields as received, each `name:value` followed by LF (values cannot hold one). Kept as one byte
    /// buffer: most heads are only ever asked for their status, so the fields are split when read.
    var fieldLines: [UInt8]
    /// The protocol the answer came over: 1 (HTTP/1.x) or 2 (HTTP/2).
    public var httpVersion: Int

    public init(status: Int, headers: [(name: String, value: String)], httpVersion: Int = 1) {
        var lines: [UInt8] = []
        for header in headers {
            lines.append(contentsOf: header.name.utf8)
            lines.append(UInt8(ascii: ":"))
            lines.append(contentsOf: header.value.utf8)
            lines.append(UInt8(ascii: "\n"))
        }
        self.init(status: status, fieldLines: lines, httpVersion: httpVersion)
    }

    init(status: Int, fieldLines: [UInt8], httpVersion: Int) {
        self.status = status
        self.fieldLines = fieldLines
        self.httpVersion = httpVersion
    }

    /// The header fields in order.
    public var headers: [(name: String, value: String)] {
        fieldLines.split(separator: UInt8(ascii: "\n")).map { line in
            let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
            let value = colon < line.endIndex ? line[(colon + 1)...] : []
            return (String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
    }

    /// The first value of `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What a consumer of streamed bytes wants next.
public enum TransferFlow: Sendable {
    case proceed
    /// Stop reading from the upstream until `TransferHandle.resume()`: the client is slower than the upstream.
    case pause
    /// End the transfer now; it completes with `.network`.
    case abort
}

/// Why a transfer did not complete.
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Phase: String, Sendable { case connect, total, idle }

    /// The upstream could not be reached: DNS, refused connection, TLS failure.
    case connectFailed(String)
    case timedOut(Phase)
    /// The connection broke after it was made (reset, truncated response).
    case network(String)
    /// Cancelled by its owner (e.g. the client disconnected).
    case cancelled
    /// The request could not be set up (bad URL, curl refused an option).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .connectFailed(let detail): return "cannot connect to upstream: \(detail)"
        case .timedOut(let phase): return "upstream \(phase.rawValue) timeout"
        case .network(let detail): return "upstream connection failed: \(detail)"
        case .cancelled: return "cancelled"
        case .invalidRequest(let detail): return "invalid upstream request: \(detail)"
        }
    }
}

/// Callbacks of one transfer. All run on the engine's thread, in order: head, data..., complete (exactly once).
/// They must not block; `onData`'s bytes are valid only during the call.
public struct TransferCallbacks: Sendable {
    public var onHead: @Sendable (TransferHead) -> Void
    public var onData: @Sendable (UnsafeRawBufferPointer) -> TransferFlow
    public var onComplete: @Sendable (Result<Void, TransferError>) -> Void

    public init(
        onHead: @escaping @Sendable (TransferHead) -> Void,
        onData: @escaping @Sendable (UnsafeRawBufferPointer) -> TransferFlow,
        onComplete: @escaping @Sendable (Result<Void, TransferError>) -> Void
    ) {
        self.onHead = onHead
        self.onData = onData
        self.onComplete = onComplete
    }
}

/// A transfer in flight, from any thread: cancel it, or resume it after `onData` paused it.
public struct TransferHandle: Sendable {
    let engine: TransferEngine
    let id: UInt64

    public func cancel() { engine.cancel(id) }
    public func resume() { engine.resume(id) }
}
