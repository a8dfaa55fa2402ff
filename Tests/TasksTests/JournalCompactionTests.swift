import Dispatch
import Locks
import Testing
@testable import Tasks

@Suite struct JournalCompactionTests {
    typealias Support = JournalTestSupport

    @Test func liveSubsetReplacesTheFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = (0..<10).map { Support.payload($0, bytes: 100) }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        let live = [payloads[2], payloads[7]]
        #expect(Support.succeeded(Support.compact(journal, live)))
        #expect(journal.sizeBytes == 2 * 108)
        #expect(Support.fileSize(directory.journalPath) == 2 * 108)
        #expect(!Support.fileExists(directory.temporaryJournalPath))
        #expect(Support.mode(directory.journalPath) == 0o600)
        let later = Support.payload(50, bytes: 9)
        #expect(Support.succeeded(Support.append(journal, [later])))
        journal.close()
        #expect(try Support.replay(directory.dataDirectory).payloads == live + [later])
    }

    /// Requests keep their order: appends queued before the compaction are written first (then replaced),
    /// appends queued after it land after the compacted records, all without waiting in between.
    @Test func appendsQueuedAfterCompactionLandAfterTheCompactedRecords() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        let order = Locked<[String]>([])
        let done = DispatchSemaphore(value: 0)
        func note(_ name: String) -> JournalCompletion {
            { result in
                order.withLock { $0.append(Support.succeeded(result) ? name : "failed \(name)") }
                done.signal()
            }
        }
        journal.append([Array("old-1".utf8), Array("old-2".utf8)], completion: note("old"))
        journal.compact(live: [Array("old-2".utf8)], completion: note("compact"))
        journal.append([Array("new-1".utf8)], completion: note("new-1"))
        journal.append([Array("new-2".utf8)], completion: note("new-2"))
        for _ in 0..<4 { _ = done.wait(timeout: .now() + .seconds(Support.completionTimeoutSeconds)) }
        #expect(order.withLock { $0 } == ["old", "compact", "new-1", "new-2"])
        journal.close()
        let replay = try Support.replay(directory.dataDirectory)
        #expect(replay.payloads.map { String(decoding: $0, as: UTF8.self) } == ["old-2", "new-1", "new-2"])
    }

    @Test func crashBeforeRenameKeepsTheOldJournal() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = (0..<5).map { Support.payload($0, bytes: 30) }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        #expect(Support.failed(Support.compact(journal, [payloads[1]], crashingAt: .beforeRename)))
        // Left as a dead process would leave it: the whole temporary file next to the untouched journal.
        #expect(Support.fileSize(directory.temporaryJournalPath) == 38)
        #expect(Support.fileSize(directory.journalPath) == 5 * 38)
        #expect(!journal.isWritable)
        #expect(Support.failed(Support.append(journal, [[1]])))

        let (reopened, replay) = try Journal.open(directory: directory.dataDirectory)
        #expect(replay.payloads == payloads)
        #expect(!Support.fileExists(directory.temporaryJournalPath))
        reopened.close()
        journal.close()
    }

    @Test func crashAfterRenameKeepsTheCompactedJournal() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let payloads = (0..<5).map { Support.payload($0, bytes: 30) }
        let (journal, _) = try Journal.open(directory: directory.dataDirectory)
        #expect(Support.succeeded(Support.append(journal, payloads)))
        let live = [payloads[1], payloads[3]]
        #expect(Support.failed(Support.compact(journal, live, crashingAt: .afterRenameBeforeDirectorySync)))
        #expect(!Support.fileExists(directory.temporaryJournalPath))

        let (reopened, replay) = try Journal.open(directory: directory.dataDirectory)
        #expect(replay.payloads == live)
        #expect(replay.discardedBytes == 0)
        reopened.close()
        journal.close()
    }

    @Test func staleTemporaryFileIsRemovedOnOpen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        Support.writeFile(directory.temporaryJournalPath, [1, 2, 3])
        let (journal, replay) = try Journal.open(directory: directory.dataDirectory)
        journal.close()
        #expect(replay.payloads.isEmpty)
        #expect(!Support.fileExists(directory.temporaryJournalPath))
    }
}
