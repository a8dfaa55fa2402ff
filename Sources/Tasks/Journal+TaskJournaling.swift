/// The journal as the task store uses it: durable or not, the error itself goes to the log at the journal's level.
extension Journal: TaskJournaling {
    public func write(_ payloads: [[UInt8]], completion: @escaping @Sendable (Bool) -> Void) {
        append(payloads) { result in completion((try? result.get()) != nil) }
    }

    public func rewrite(live: [[UInt8]], completion: @escaping @Sendable (Bool) -> Void) {
        compact(live: live) { result in completion((try? result.get()) != nil) }
    }
}
