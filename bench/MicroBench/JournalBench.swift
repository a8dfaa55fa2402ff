import Dispatch
import Foundation
import Glibc
import Synchronization
import Tasks

/// `agentd-microbench journal [records] [seconds]`: the task journal's replay time over `records` records of a
/// realistic task record (~300 bytes of JSON), and its append throughput on 64 threads for `seconds` each, with
/// group commit and with one fdatasync per record. Figures depend on the disk's fsync latency far more than
/// on the CPU.
enum JournalBench {
    static let appenderThreads = 64

    /// Records appended and failed, summed over the appender threads.
    final class Counts: Sendable {
        let completed = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }

    static func run(records: Int, seconds: Double, runs: Int) {
        print("journal: \(records) records of ~\(record(0).count) bytes; appends: \(appenderThreads) threads, \(seconds) s per mode")
        replay(records: records, runs: runs)
        for mode in [Journal.SyncMode.group, .each] { appends(mode: mode, seconds: seconds) }
    }

    /// A task record as the task store writes one (its JSON), with a distinct id.
    static func record(_ index: Int) -> [UInt8] {
        let id = String(index, radix: 36)
        let padded = String(repeating: "0", count: max(0, 12 - id.count)) + id
        return Array((
            #"{"id":"task_01J9Z3K4\#(padded)","status":"pending","agent":"summarizer","#
                + #""created_at":"2026-11-22T16:22:52.367Z","updated_at":"2026-11-22T16:22:52.367Z","attempt":0,"#
                + #""webhook":"https://hooks.example.com/agentd/callback?token=3f9a61c0d2b8e447","#
                + #""input":{"messages":[{"role":"user","content":"Summarize the quarterly report in five bullet points."}]}}"#
        ).utf8)
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.path + "/agentd-journal-bench-" + UUID().uuidString
    }

    /// Writes the records once, then times `Journal.open` (read, checksum, decode) over them; median of `runs`.
    static func replay(records: Int, runs: Int) {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let (journal, _) = try Journal.open(directory: directory)
            let batch = 1000
            var written = 0
            while written < records {
                let count = min(batch, records - written)
                let done = DispatchSemaphore(value: 0)
                journal.append((written..<(written + count)).map(record)) { result in
                    if case .failure(let error) = result { print("append failed: \(error)") }
                    done.signal()
                }
                done.wait()
                written += count
            }
            let bytes = journal.sizeBytes
            journal.close()
            var samples: [Double] = []
            for _ in 0..<max(1, runs) {
                let started = nowNs()
                let (reopened, replay) = try Journal.open(directory: directory)
                let elapsed = Double(nowNs() - started) / 1e6
                reopened.close()
                guard replay.payloads.count == records else {
                    print("replay found \(replay.payloads.count) records, expected \(records)")
                    return
                }
                samples.append(elapsed)
            }
            let milliseconds = samples.sorted()[samples.count / 2]
            let perSecond = Double(records) / milliseconds * 1000
            print(
                "journal replay (Journal.open), \(records) records, \(bytes / 1_048_576) MiB".padding(toLength: 56, withPad: " ", startingAt: 0)
                    + "\(Int(milliseconds.rounded())) ms, \(Int(perSecond.rounded())) records/s"
            )
        } catch {
            print("journal replay: \(error)")
        }
    }

    /// 64 threads, each appending one record and waiting for its completion (as a request handler waits before
    /// its 202), for `seconds`: records/s and records per fdatasync.
    static func appends(mode: Journal.SyncMode, seconds: Double) {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal: Journal
        do { (journal, _) = try Journal.open(directory: directory, syncMode: mode) } catch {
            print("journal appends: \(error)")
            return
        }
        let counts = Counts()
        let stopped = DispatchSemaphore(value: 0)
        let deadline = nowNs() + UInt64(seconds * 1e9)
        let started = nowNs()
        for thread in 0..<appenderThreads {
            Thread {
                let done = DispatchSemaphore(value: 0)
                var index = thread * 10_000_000
                while nowNs() < deadline {
                    journal.append([record(index)]) { result in
                        if case .failure = result { counts.failed.add(1, ordering: .relaxed) }
                        done.signal()
                    }
                    done.wait()
                    index += 1
                }
                counts.completed.add(index - thread * 10_000_000, ordering: .relaxed)
                stopped.signal()
            }.start()
        }
        for _ in 0..<appenderThreads { stopped.wait() }
        let elapsed = Double(nowNs() - started) / 1e9
        let records = counts.completed.load(ordering: .relaxed)
        let failed = counts.failed.load(ordering: .relaxed)
        let syncs = journal.syncCount
        journal.close()
        let name = "journal appends, \(appenderThreads) threads, .\(mode)"
        print(
            name.padding(toLength: 56, withPad: " ", startingAt: 0)
                + "\(Int((Double(records) / elapsed).rounded())) records/s, "
                + String(format: "%.1f", Double(records) / Double(max(1, syncs))) + " records per fdatasync"
                + (failed > 0 ? ", \(failed) failed" : "")
        )
    }
}
