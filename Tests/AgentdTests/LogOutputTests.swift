import Foundation
import Glibc
import Logging
import Testing

/// The access log's building blocks: the byte timestamp and the batching sink.
@Suite("log timestamps and the batching sink")
struct LogOutputTests {
    @Test("the byte timestamp equals the gmtime-based one, across days, leap years and centuries")
    func timestampMatchesGmtime() {
        var samples: [Int64] = [0, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 1_795_356_666_123]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append(Int64(state >> 22) % 4_102_444_800_000)
        }
        for unixMs in samples {
            var bytes: [UInt8] = []
            LogTimestamp.append(unixMs: unixMs, to: &bytes)
            let expected = LogTimestamp.format(seconds: Int(unixMs / 1000), milliseconds: Int(unixMs % 1000))
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(unixMs)")
        }
    }

    @Test("lines written before a flush arrive whole, in order, in one batch")
    func batchesWholeLines() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = BufferedOutputSink(fd: fds[1], flushDelayMs: 10_000, maxBatchBytes: 1 << 20)
        for index in 0..<100 { sink.writeLine(Array("{\"n\":\(index)}\n".utf8)) }
        sink.write("last\n")
        var buffer = [UInt8](repeating: 0, count: 65_536)
        #expect(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0)
        #expect(read(fds[0], &buffer, buffer.count) == -1, "nothing is written before the flush")
        sink.flush()
        close(fds[1])
        var received: [UInt8] = []
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 101)
        #expect(lines.first == "{\"n\":0}")
        #expect(lines[99] == "{\"n\":99}")
        #expect(lines.last == "last")
    }

    @Test("a full batch is written at once, without waiting for the delay")
    func fullBatchFlushes() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let sink = BufferedOutputSink(fd: fds[1], flushDelayMs: 60_000, maxBatchBytes: 64)
        sink.writeLine(Array(String(repeating: "x", count: 70).utf8) + [0x0A])
        var buffer = [UInt8](repeating: 0, count: 256)
        #expect(read(fds[0], &buffer, buffer.count) == 71)
    }
}
