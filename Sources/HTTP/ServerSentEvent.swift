/// One Server-Sent Event, encoded as the HTML Living Standard's `text/event-stream` expects:
/// optional `event:` and `id:` lines, one `data:` line per line of data, and a blank line.
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        if let event { out += Array("event: \(ServerSentEvent.singleLine(event))\n".utf8) }
        if let id { out += Array("id: \(ServerSentEvent.singleLine(id))\n".utf8) }
        // Any of CRLF, CR or LF ends a line in an event stream, so each becomes its own data line.
        let lines = data.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { out += Array("data: \(line)\n".utf8) }
        out.append(ASCII.lf)
        return out
    }

    /// A comment line, e.g. `: keep-alive`, which clients ignore and proxies see as traffic.
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(singleLine(text))\n\n".utf8)
    }

    static func singleLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : Character($0) })
    }
}

extension String {
    fileprivate func replacingCRLF() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                result.unicodeScalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
