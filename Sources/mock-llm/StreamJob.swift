import HTTP
import Server

/// The events of one streamed answer in a provider's format, rendered one burst at a time.
protocol StreamFrames: Sendable {
    /// How many content (or tool-argument) deltas the answer is sent in; at least 1.
    var contentCount: Int { get }
    /// What precedes the first delta: the role chunk, or `message_start`, `content_block_start` and `ping`.
    func opening() -> [UInt8]
    func content(_ index: Int) -> [UInt8]
    /// What follows the last delta: finish reason, usage, `[DONE]` / `message_stop`.
    func closing() -> [UInt8]
    /// An event whose data is not JSON, for the malformed fault.
    func malformed() -> [UInt8]
}

/// Sends one streamed answer: burst 0 is the opening and the first delta, each later burst one delta,
/// the last one followed by the closing events; `chunk_delay_ms` apart.
///
/// Owner: none; immutable but for the flight's atomic. Steps run on the shard's queue (or the event loop for
/// the first) and only ever one at a time: the next step is scheduled from the previous write's `ready`
/// callback, so a client that stops reading pauses its stream instead of piling up output, and a stream
/// costs no thread: between bursts it is one heap entry on its shard.
final class StreamJob: Sendable {
    /// How the stream ends.
    enum Ending: Sendable {
        case complete
        /// After `bursts` bursts (half the deltas), a TCP reset.
        case reset(bursts: Int)
        /// One good delta, then a frame that is not JSON, then the end of the body.
        case malformed
    }

    static let headers: HTTPHeaders = ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"]

    private let frames: StreamFrames
    private let ending: Ending
    private let chunkDelayMs: Int
    private let shard: TimerShard
    private let flight: Flight
    private let headers: HTTPHeaders

    init(
        frames: StreamFrames, ending: Ending, chunkDelayMs: Int, shard: TimerShard, flight: Flight,
        headers: HTTPHeaders = StreamJob.headers
    ) {
        self.frames = frames
        self.ending = ending
        self.chunkDelayMs = chunkDelayMs
        self.shard = shard
        self.flight = flight
        self.headers = headers
    }

    /// Sends the head and the first burst; safe from any thread.
    func start(_ responder: Responder) {
        guard flight.isOpen else { return }
        let stream = responder.startStream(headers: headers)
        step(0, stream)
    }

    private func step(_ index: Int, _ stream: ResponseStream) {
        guard flight.isOpen else { return }
        switch ending {
        case .complete:
            let last = index == frames.contentCount - 1
            let bytes = burst(index, closing: last)
            if last {
                // Completed before the write: a client that hangs up as soon as it reads the end is no cancellation.
                guard flight.end(.completed) else { return }
                stream.write(bytes)
                stream.finish()
            } else {
                stream.write(bytes) { [self] in shard.run(afterMs: chunkDelayMs) { self.step(index + 1, stream) } }
            }
        case .reset(let bursts):
            if index >= bursts {
                if flight.end(.reset) { stream.abortWithReset() }
                return
            }
            // The reset follows the last burst at once: the client has read half the answer, then the connection dies.
            let delayMs = index + 1 >= bursts ? 0 : chunkDelayMs
            stream.write(burst(index, closing: false)) { [self] in shard.run(afterMs: delayMs) { self.step(index + 1, stream) } }
        case .malformed:
            guard flight.end(.completed) else { return }
            stream.write(burst(0, closing: false) + frames.malformed())
            stream.finish()
        }
    }

    private func burst(_ index: Int, closing: Bool) -> [UInt8] {
        var bytes = index == 0 ? frames.opening() : []
        bytes += frames.content(index)
        if closing { bytes += frames.closing() }
        return bytes
    }
}
