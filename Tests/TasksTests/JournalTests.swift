import Dispatch
import Foundation
import Glibc
import Locks
import Testing
@testable import Tasks

@Suite struct JournalTests {
    typealias Support = JournalTestSupport

    @Test func roundTripOfAssortedSizes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = [0, 1, 100_000, 7, 300].enumerated().map { Support.payload($0.offset, bytes: $0.element) }
        let (journal, first) = try Journal.open(directory: directory.dataDirectory)
        #expect(first.payloads.isEmpty && first.validBytes == 0 && first.discardedBytes == 0)
        #expect(journal.isWritable)
        #expect(Support.succeeded(Support.append(journal, Array(payloads[0..<2]))))
        #expect(Support.succeeded(Support.append(journal, Array(payloads[2...]))))
        let expectedBytes = payloads.reduce(0) { $0 + 8 + $1.count }
        #expect(journal.sizeBytes == expectedBytes)
        journal.close()

        let replay = try Support.replay(directory.dataDirectory)
        #expect(replay.payloads == payloads)
        #expect(replay.validBytes == expectedBytes)
        #expect(replay.discardedBytes == 0)
    }

    @Test func createsThePrivateDirectoryAndFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory + "/nested")
        journal.close()
        #expect(Support.mode(directory.dataDirectory + "/nested") == 0o700)
        #expect(Support.mode(directory.dataDirectory + "/nested/tasks.journal") == 0o600)
    }

    @Test func frameLayoutIsLengthThenChecksumLittleEndian() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, [Array("123456789".utf8)])))
        journal.close()
        let payload = Array("123456789".utf8)
        let masked = JournalFrame.mask(CRC32C.checksum([9, 0, 0, 0] + payload))
        let checksum = (0..<4).map { UInt8(truncatingIfNeeded: masked >> UInt32(8 * $0)) }
        #expect(Support.fileBytes(directory.journalPath) == [9, 0, 0, 0] + checksum + payload)
        // The masked checksum of the length and payload, not the payload's bare CRC (0xE3069283).
        #expect(masked != 0xE306_9283)
    }

    /// A crash can leave zeros where the file grew but was not written yet: they are a torn tail, never records.
    @Test func zeroFilledTailIsNotARecord() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, [Array("kept".utf8)])))
        journal.close()
        let handle = try #require(FileHandle(forWritingAtPath: directory.journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(count: 4096))
        try handle.close()
        let (reopened, replay) = try Journal.open(directory: directory.dataDirectory)
        defer { reopened.close() }
        #expect(replay.payloads == [Array("kept".utf8)])
        #expect(replay.discardedBytes == 4096)
    }

    /// Every prefix of a journal replays to exactly the records wholly inside it, is cut back to them, and
    /// takes new appends after them.
    @Test func tornTailAtEveryByteOffset() throws {
        let sizes = [0, 1, 9, 3, 40, 0, 17]
        let payloads = sizes.enumerated().map { Support.payload($0.offset, bytes: $0.element) }
        var ends: [Int] = []
        for size in sizes { ends.append((ends.last ?? 0) + 8 + size) }
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (journal, _) = try Journal.open(directory: source.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        journal.close()
        let whole = Support.fileBytes(source.journalPath)
        #expect(whole.count == ends.last)

        let extra = Array("after the tear".utf8)
        for length in 0...whole.count {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            Support.writeFile(directory.journalPath, Array(whole[0..<length]))
            let intact = ends.filter { $0 <= length }.count
            let validBytes = intact == 0 ? 0 : ends[intact - 1]

            let (reopened, replay) = try Journal.open(directory: directory.dataDirectory)
            #expect(replay.payloads == Array(payloads[0..<intact]), "prefix of \(length) bytes")
            #expect(replay.validBytes == validBytes, "prefix of \(length) bytes")
            #expect(replay.discardedBytes == length - validBytes, "prefix of \(length) bytes")
            #expect(Support.fileSize(directory.journalPath) == validBytes, "prefix of \(length) bytes")
            #expect(Support.succeeded(Support.append(reopened, [extra])))
            reopened.close()
            #expect(try Support.replay(directory.dataDirectory).payloads == Array(payloads[0..<intact]) + [extra])
        }
    }

    @Test(arguments: [CorruptedPart.payload, .lengthField, .checksumField])
    func corruptionInTheMiddleRecordKeepsTheRecordsBefore(part: CorruptedPart) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = (0..<3).map { Support.payload($0, bytes: 20) }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        journal.close()

        var bytes = Support.fileBytes(directory.journalPath)
        let middle = 28  // the second frame starts after 8 + 20 bytes
        switch part {
        case .payload: bytes[middle + 8 + 10] ^= 0x40
        case .lengthField: bytes[middle] ^= 0x01
        case .checksumField: bytes[middle + 5] ^= 0x80
        }
        Support.writeFile(directory.journalPath, bytes)

        let (reopened, replay) = try Journal.open(directory: directory.dataDirectory)
        #expect(replay.payloads == [payloads[0]])
        #expect(replay.validBytes == middle)
        #expect(replay.discardedBytes == bytes.count - middle)
        #expect(Support.fileSize(directory.journalPath) == middle)
        let later = Support.payload(9, bytes: 5)
        #expect(Support.succeeded(Support.append(reopened, [later])))
        reopened.close()
        #expect(try Support.replay(directory.dataDirectory).payloads == [payloads[0], later])
    }

    enum CorruptedPart: Sendable, CaseIterable { case payload, lengthField, checksumField }

    @Test func lengthAboveTheMaximumIsCorruption() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let tooLong = UInt32(JournalFrame.maxPayloadBytes + 1)
        let header = (0..<4).map { UInt8(truncatingIfNeeded: tooLong >> UInt32($0 * 8)) } + [0, 0, 0, 0]
        Support.writeFile(directory.journalPath, header + [UInt8](repeating: 0, count: 64))
        let replay = try Support.replay(directory.dataDirectory)
        #expect(replay.payloads.isEmpty && replay.validBytes == 0 && replay.discardedBytes == 72)
    }

    @Test func replayOfGarbageNeverCrashes() {
        var state: UInt64 = 42
        for round in 0..<200 {
            let count = round * 7 % 300
            let bytes: [UInt8] = (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Small values often, so some lengths are plausible.
                return UInt8(truncatingIfNeeded: state >> (round % 2 == 0 ? 60 : 33))
            }
            let decoded = bytes.withUnsafeBytes { JournalFrame.decode($0) }
            #expect(decoded.validBytes <= count)
            #expect(decoded.validBytes == decoded.payloads.reduce(0) { $0 + 8 + $1.count })
        }
    }

    @Test func recordAboveTheMaximumIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        defer { journal.close() }
        let result = Support.append(journal, [[UInt8](repeating: 1, count: JournalFrame.maxPayloadBytes + 1)])
        #expect(Support.failed(result))
        #expect(journal.sizeBytes == 0)
    }

    /// 64 threads appending at once, each waiting for its completion before its next record as a request
    /// handler would: all succeed, all land once and in each thread's order, with far fewer fsyncs than records.
    @Test func groupCommitOf64ConcurrentAppenders() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        let appenders = 64
        let recordsEach = 50
        let failures = Locked(0)
        let finished = DispatchSemaphore(value: 0)
        for appender in 0..<appenders {
            let thread = Thread {
                for record in 0..<recordsEach {
                    let result = Support.append(journal, [Array("appender-\(appender)-record-\(record)".utf8)])
                    if !Support.succeeded(result) { failures.withLock { $0 += 1 } }
                }
                finished.signal()
            }
            thread.start()
        }
        var joined = 0
        for _ in 0..<appenders where finished.wait(timeout: .now() + .seconds(120)) == .success { joined += 1 }
        #expect(joined == appenders)
        #expect(failures.withLock { $0 } == 0)
        let syncs = journal.syncCount
        journal.close()
        #expect(syncs < appenders * recordsEach)
        #expect(syncs >= 1)

        let replay = try Support.replay(directory.dataDirectory)
        #expect(replay.payloads.count == appenders * recordsEach)
        var seen: [Int: [Int]] = [:]
        for payload in replay.payloads {
            let parts = String(decoding: payload, as: UTF8.self).split(separator: "-")
            seen[Int(parts[1])!, default: []].append(Int(parts[3])!)
        }
        #expect(seen.count == appenders)
        for (_, records) in seen { #expect(records == Array(0..<recordsEach)) }
    }

    @Test func eachModeSyncsEveryRecord() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory, syncMode: .each)
        let results = Locked<[Bool]>([])
        let done = DispatchSemaphore(value: 0)
        // Queued at once so that a group could form: `.each` must still sync record by record.
        for index in 0..<10 {
            journal.append([Support.payload(index, bytes: 10), Support.payload(index + 100, bytes: 3)]) { result in
                results.withLock { $0.append(Support.succeeded(result)) }
                done.signal()
            }
        }
        for _ in 0..<10 { _ = done.wait(timeout: .now() + .seconds(Support.completionTimeoutSeconds)) }
        #expect(results.withLock { $0 } == [Bool](repeating: true, count: 10))
        #expect(journal.syncCount == 20)
        journal.close()
        #expect(try Support.replay(directory.dataDirectory).payloads.count == 20)
    }

    @Test func closeCompletesPendingAppendsThenStopsTheWriter() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        let outcomes = Locked<[Int: Bool]>([:])
        for index in 0..<100 {
            journal.append([Support.payload(index, bytes: 50)]) { result in
                outcomes.withLock { $0[index] = Support.succeeded(result) }
            }
        }
        journal.close()
        // close() returned: every completion has run, all with success.
        #expect(outcomes.withLock { $0.count } == 100)
        #expect(outcomes.withLock { $0.values.allSatisfy { $0 } })
        let afterClose = Support.append(journal, [[1]])
        #expect(Support.failed(afterClose))
        journal.close()  // idempotent
        #expect(try Support.replay(directory.dataDirectory).payloads.count == 100)
    }

    @Test func closeFromACompletionDoesNotDeadlock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        let result = Support.wait { completion in
            journal.append([[7]]) { result in
                journal.close()
                completion(result)
            }
        }
        #expect(Support.succeeded(result))
        journal.close()
    }
}
