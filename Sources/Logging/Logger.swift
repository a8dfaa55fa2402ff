import Glibc
import Synchronization
import Locks

public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug, info, warning, error

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = level
    }

    public var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum LogFormat: String, Sendable {
    /// One JSON object per line: `ts`, `level`, `msg`, then the fields.
    case json
    /// `ts level msg key=value …`, for people.
    case text
}

/// A value in a log line; numbers and booleans stay unquoted in JSON.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    public var description: String {
        switch self {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        }
    }
}

/// Where finished log lines go.
public protocol LogSink: Sendable {
    func write(_ line: String)
    /// One complete line as UTF-8 bytes, newline included.
    func writeLine(_ bytes: [UInt8])
    /// Writes out anything held back.
    func flush()
}

extension LogSink {
    public func writeLine(_ bytes: [UInt8]) { write(String(decoding: bytes, as: UTF8.self)) }
    public func flush() {}
}

/// Structured logs: JSON lines (the default: docs/api.md, Observability surface, Logs) or text.
///
/// Owner: none; immutable, safe from any thread. It never decides what is secret: callers pass no keys,
/// Authorization values or message content (docs/api.md, Logs, forbids them in logs).
public final class Logger: Sendable {
    public let minimumLevel: LogLevel
    public let format: LogFormat
    private let sink: LogSink

    public init(minimumLevel: LogLevel = .info, format: LogFormat = .json, sink: LogSink = StandardOutputSink()) {
        self.minimumLevel = minimumLevel
        self.format = format
        self.sink = sink
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    /// A line rendered elsewhere (the access log), UTF-8 with its newline.
    public func writeLine(_ bytes: [UInt8]) { sink.writeLine(bytes) }

    public func flush() { sink.flush() }

    public func log(_ level: LogLevel, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard isEnabled(level) else { return }
        sink.write(render(level, message, fields, timestamp: LogTimestamp.now()))
    }

    /// Convenience for string-only fields.
    public func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {
        log(level, message, fields.mapValues { LogValue.string($0) })
    }

    func render(_ level: LogLevel, _ message: String, _ fields: [String: LogValue], timestamp: String) -> String {
        let keys = fields.keys.sorted()
        switch format {
        case .json:
            var line = "{\"ts\":\"\(timestamp)\",\"level\":\"\(level)\",\"msg\":\(JSONText.quoted(message))"
            for key in keys {
                line += ",\(JSONText.quoted(key)):"
                switch fields[key]! {
                case .string(let text): line += JSONText.quoted(text)
                case .int(let number): line += String(number)
                case .double(let number): line += number.isFinite ? String(number) : "null"
                case .bool(let flag): line += String(flag)
                }
            }
            return line + "}\n"
        case .text:
            var line = "\(timestamp) \(level.description.uppercased()) \(message)"
            for key in keys { line += " \(key)=\(fields[key]!)" }
            return line + "\n"
        }
    }
}

/// Writes each line to standard output with one write(2), under a lock so lines never interleave.
public final class StandardOutputSink: LogSink {
    private let lock = Locked<Void>(())

    public init() {}

    public func write(_ line: String) {
        lock.withLock { _ in
            var remaining = line
            remaining.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
    }
}

/// Keeps lines in memory, for tests that assert on what was logged.
public final class MemoryLogSink: LogSink {
    private let storage = Locked<[String]>([])

    public init() {}

    public func write(_ line: String) { storage.withLock { $0.append(line) } }

    public var lines: [String] { storage.withLock { $0 } }
}
