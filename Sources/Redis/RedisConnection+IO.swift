import CAgentdSystem
import Glibc

extension RedisConnection {
    /// Reads what the socket has and completes the waiting commands whose replies are whole, in order.
    func readReplies() {
        guard let transport else { return }
        while true {
            if input.count - inputEnd < RedisConnection.readChunkBytes {
                if inputStart > 0 && inputStart == inputEnd {
                    inputStart = 0
                    inputEnd = 0
                } else if inputStart > input.count / 2 {
                    input.replaceSubrange(0..<(inputEnd - inputStart), with: input[inputStart..<inputEnd])
                    inputEnd -= inputStart
                    inputStart = 0
                }
                if input.count - inputEnd < RedisConnection.readChunkBytes {
                    input += [UInt8](repeating: 0, count: max(RedisConnection.readChunkBytes, input.count))
                }
            }
            let end = inputEnd
            let space = input.count - end
            let result = input.withUnsafeMutableBytes { transport.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
            switch result {
            case .transferred(let count):
                inputEnd += count
                guard parseReplies() else { return }
                if self.transport == nil { return }
                // A short read on a plain socket took everything there was: the loop's epoll (level-triggered)
                // says when more arrives, so no read is spent on EAGAIN. TLS may hold decrypted bytes back.
                if count < space && transport.shortReadDrains {
                    updateInterest()
                    return
                }
            case .wouldBlock, .closed, .failed:
                stopTransferring(result)
                return
            }
        }
    }

    /// Completes commands with every whole reply in the buffer; false when the connection was dropped.
    private func parseReplies() -> Bool {
        while inputStart < inputEnd {
            let start = inputStart, end = inputEnd
            let parsed = input.withUnsafeBytes { RESPParser.parse(UnsafeRawBufferPointer(rebasing: $0[start..<end]), limits: limits) }
            switch parsed {
            case .needMore:
                if inputEnd - inputStart > limits.maxBulkBytes + RedisConnection.readChunkBytes {
                    drop(failing: .protocolViolation("a reply larger than \(limits.maxBulkBytes) bytes"), reason: "reply too large")
                    return false
                }
                return true
            case .failure(let error):
                drop(failing: .protocolViolation("\(error)"), reason: "unparseable reply: \(error)")
                return false
            case .value(let value, let consumed):
                inputStart += consumed
                if case .push(let items) = value {
                    // RESP3 out-of-band data (pub/sub): not a reply.
                    client?.settings.onPush?(items)
                    continue
                }
                guard waitingHead < waiting.count else {
                    drop(failing: .protocolViolation("a reply no command asked for"), reason: "a reply no command asked for")
                    return false
                }
                let item = waiting[waitingHead]
                waitingHead += 1
                if waitingHead == waiting.count {
                    waiting.removeAll(keepingCapacity: true)
                    deadlines.removeAll(keepingCapacity: true)
                    waitingHead = 0
                } else if waitingHead >= 1024 && waitingHead * 2 >= waiting.count {
                    waiting.removeFirst(waitingHead)
                    deadlines.removeFirst(waitingHead)
                    waitingHead = 0
                }
                let result: Result<RESPValue, RedisError> = if case .error(let message) = value {
                    .failure(.server(message: message))
                } else {
                    .success(value)
                }
                client?.commandFinished(item.operation, startedNs: item.startedNs, failure: result.failure)
                item.completion(result)
            }
        }
        return true
    }

    /// Writes as much queued output as the socket takes.
    func flush() {
        guard let transport else { return }
        while outputStart < output.count {
            let start = outputStart
            let result = output.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            switch result {
            case .transferred(let count):
                outputStart += count
            case .wouldBlock, .closed, .failed:
                stopTransferring(result)
                return
            }
        }
        output.removeAll(keepingCapacity: output.count <= 1 << 20)
        outputStart = 0
        updateInterest()
    }

    /// A read or write that cannot go on: wait for readiness, or drop the connection the peer closed or broke.
    private func stopTransferring(_ result: TransportResult) {
        switch result {
        case .wouldBlock, .transferred:
            updateInterest()
        case .closed:
            drop(failing: .unavailable(reason: "redis closed the connection"), reason: "redis closed the connection")
        case .failed(let reason):
            drop(failing: .unavailable(reason: reason), reason: reason)
        }
    }

    /// EPOLLOUT only while a write (or a TLS read) waits for the socket to take bytes.
    private func updateInterest() {
        guard let transport else { return }
        let wantWritable = transport.wantsWritable
        guard wantWritable != watchingWritable else { return }
        watchingWritable = wantWritable
        let events = agentd_EPOLLIN | agentd_EPOLLRDHUP | (wantWritable ? agentd_EPOLLOUT : 0)
        _ = agentd_epoll_modify(pollFD, transport.fd, events, RedisConnection.socketToken)
    }

    /// Closes the transport and fails every waiting command with `error`; with a `reason`, tells the client,
    /// whose connector then reconnects.
    func drop(failing error: RedisError, reason: String?) {
        let failed = Array(waiting[waitingHead...])
        waiting.removeAll()
        deadlines.removeAll()
        waitingHead = 0
        output.removeAll()
        outputStart = 0
        inputStart = 0
        inputEnd = 0
        if let transport {
            _ = agentd_epoll_delete(pollFD, transport.fd)
            transport.close()
            self.transport = nil
            markNotReady()
            if let reason { client?.connectionLost(self, reason: reason) }
        }
        for item in failed {
            client?.commandFinished(item.operation, startedNs: item.startedNs, failure: error)
            item.completion(.failure(error))
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
