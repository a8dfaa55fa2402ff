/// Polls `condition` every `interval` until it holds (true) or `timeout` passes (false, after one last look):
/// the tests' one way to wait for something another thread or process does, never a fixed sleep.
public func waitUntil(
    _ timeout: Duration = .seconds(5), interval: Duration = .milliseconds(5), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
