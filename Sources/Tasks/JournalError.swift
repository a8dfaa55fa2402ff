import Glibc

/// A failed journal operation: which one ("open", "write", "fdatasync", "rename", ...), on which path, and the
/// errno it left with its strerror text (read when the error is made, since errno changes afterwards).
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errorNumber: Int32
    public let reason: String

    public init(operation: String, path: String, errorNumber: Int32, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.errorNumber = errorNumber
        self.reason = reason ?? String(cString: strerror(errorNumber))
    }

    /// The error of the system call that just failed (reads errno now).
    static func last(_ operation: String, _ path: String) -> JournalError {
        JournalError(operation: operation, path: path, errorNumber: errno)
    }

    /// Appends after `close()`.
    static func closed(_ path: String) -> JournalError {
        JournalError(operation: "append", path: path, errorNumber: EBADF, reason: "the journal is closed")
    }

    /// A payload larger than `JournalFrame.maxPayloadBytes`.
    static func recordTooLarge(_ path: String, bytes: Int) -> JournalError {
        JournalError(
            operation: "append", path: path, errorNumber: EMSGSIZE,
            reason: "record of \(bytes) bytes exceeds the maximum of \(JournalFrame.maxPayloadBytes)"
        )
    }

    public var description: String {
        "journal \(operation) failed on \(path): \(reason) (errno \(errorNumber))"
    }
}
