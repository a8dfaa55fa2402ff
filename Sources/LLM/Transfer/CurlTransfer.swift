import CCurl

/// What the options set by `CurlTransfer.configureProfile` depend on: two requests with equal profiles can
/// run on the same easy handle one after the other without resetting it.
struct CurlProfile: Equatable {
    let url: String
    let method: String
    let connectTimeoutMs: Int
    let totalTimeoutMs: Int
    let caFile: String?
    /// An `https://` URL: HTTP/2 may multiplex calls on one connection, and answers may come compressed.
    let isTLS: Bool

    init(_ request: TransferRequest) {
        url = request.url
        method = request.method
        connectTimeoutMs = request.connectTimeoutMs
        totalTimeoutMs = request.totalTimeoutMs
        caFile = request.caFile
        isTLS = request.url.hasPrefix("https://")
    }
}

/// One upstream request on a curl easy handle.
///
/// Owner: the transfer engine's thread; nothing here is touched elsewhere. curl holds an unretained pointer
/// to this object (CURLOPT_PRIVATE, WRITEDATA, HEADERDATA): the engine's `transfers` table keeps it alive
/// until the handle is removed from the multi handle and released. The header list lives as long as the
/// transfer (curl reads it during the transfer, not only at setopt). The easy handle is the engine's: it
/// lends a fresh one, or one whose last transfer had the same `CurlProfile` (so every option it keeps is
/// one this transfer would set), and takes it back in `release()`.
final class CurlTransfer {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    let callbacks: TransferCallbacks
    let idleTimeoutNs: UInt64
    /// The profile the handle's options are set for. Cleared when setting them failed part way, and when the
    /// transfer was paused or refused: the engine then closes the handle instead of lending it again.
    var profile: CurlProfile?
    private var headerList: UnsafeMutablePointer<curl_slist>?

    // Response state, filled by the header and write callbacks.
    private var status = 0
    /// The head's fields so far, in `TransferHead.fieldLines`' form.
    private var fieldLines: [UInt8] = []
    private(set) var headDelivered = false
    /// When the idle sweep last saw bytes arrive; `active` is set by every callback and cleared by the sweep,
    /// so callbacks never read the clock.
    var lastActivityNs: UInt64
    var active = false
    var isPaused = false
    /// Set when the engine is ending this transfer itself (cancel, idle timeout), so curl's write error is
    /// reported as that reason instead.
    var abortReason: TransferError?

    init(
        id: UInt64, easy: UnsafeMutableRawPointer, profile: CurlProfile, request: TransferRequest,
        callbacks: TransferCallbacks, nowNs: UInt64
    ) {
        self.id = id
        self.profile = profile
        self.easy = easy
        self.callbacks = callbacks
        idleTimeoutNs = UInt64(max(0, request.idleTimeoutMs)) * 1_000_000
        lastActivityNs = nowNs
        // Each "name: value" line is put together in one reused buffer; curl copies it.
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for header in request.headers {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: header.name.utf8)
            line.append(UInt8(ascii: ":"))
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: header.value.utf8)
            line.append(0)
            headerList = line.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { curl_slist_append(headerList, $0.baseAddress) }
            }
        }
        // No "Expect: 100-continue" round trip before request bodies (curl asks for one from 1 MiB on).
        if request.body.count >= 1 << 20 { headerList = curl_slist_append(headerList, "Expect:") }
    }

    /// Sets the options; returns a reason when curl refuses one. `reusing` says the handle already carries
    /// the options of an earlier transfer with the same `CurlProfile` (curl keeps options across transfers):
    /// then only what belongs to this transfer is set again, saving a dozen setopt calls and the URL copy.
    /// `freshConnection`: open a new connection rather than look for one to reuse (the engine knows none is
    /// idle); `engine` closes the sockets of the connections this handle opens.
    func configure(_ request: TransferRequest, reusing: Bool, freshConnection: Bool, engine: TransferEngine) -> String? {
        let this = Unmanaged.passUnretained(self).toOpaque()
        var failures: [String] = []
        func check(_ code: CURLcode, _ what: String) { if code != CURLE_OK { failures.append(what) } }
        check(agentd_curl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, this), "private")
        check(agentd_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, this), "write data")
        check(agentd_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, this), "header data")
        check(agentd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "headers")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, freshConnection ? 1 : 0), "fresh connect")
        if !reusing {
            configureProfile(request, check: check)
            check(agentd_curl_easy_setopt_closesocket_function(easy, curlCloseSocketCallback), "close socket function")
            check(agentd_curl_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(engine).toOpaque()), "close socket data")
        }
        if request.method != "GET" {
            check(agentd_curl_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "body size")
            // COPYPOSTFIELDS copies the bytes: the request value may go away before curl sends them.
            let code = request.body.withUnsafeBufferPointer { bytes in
                agentd_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            check(code, "body")
        }
        return failures.isEmpty ? nil : "curl refused: \(failures.joined(separator: ", "))"
    }

    /// The options that depend only on the request's `CurlProfile`.
    private func configureProfile(_ request: TransferRequest, check: (CURLcode, String) -> Void) {
        check(agentd_curl_easy_setopt_string(easy, CURLOPT_URL, request.url), "url")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "nosignal")
        check(agentd_curl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback), "write function")
        check(agentd_curl_easy_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), "header function")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeoutMs)), "connect timeout")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(0, request.totalTimeoutMs)), "timeout")
        // HTTP/2 when a TLS upstream offers it, so many calls share one connection; HTTP/1.1 otherwise.
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, agentd_CURL_HTTP_VERSION_2TLS), "http version")
        // Wait for a connection being set up to say whether it multiplexes only where it may (TLS, ALPN answers
        // at the handshake). Over plain http it can only be HTTP/1.1, and curl learns that from the first
        // response's head: a burst of calls would queue behind a slow first answer instead of opening
        // connections (seen: 40 concurrent streams, 3 held until the first ones ended).
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, profile?.isTLS == true ? 1 : 0), "pipewait")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1), "nodelay")
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        // The smallest receive buffer curl takes (1 KiB): thousands of streams each hold one for their whole life,
        // and a stream event is a few hundred bytes. A long answer only takes more write callbacks.
        check(agentd_curl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 1024), "buffer size")
        // Compressed answers from remote (TLS) upstreams; a plain-http one is in the same cluster or on the same
        // host, where compressing costs CPU on both sides and saves nothing (docs/configuration.md).
        if profile?.isTLS == true {
            check(agentd_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "accept encoding")
        }
        if let caFile = request.caFile { check(agentd_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile), "CA file") }
        switch request.method {
        case "GET": check(agentd_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "get")
        case "POST": break
        default: check(agentd_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }
    }

    /// Frees the header list; the caller takes the easy handle back. The handle must already be out of the
    /// multi handle.
    func release() {
        // The handle may be lent again without a reset: it must not keep pointing at the freed list.
        _ = agentd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(headerList)
        headerList = nil
    }

    // MARK: Callbacks (engine thread, from inside curl)

    fileprivate func receivedHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        active = true
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A) { end -= 1 }
        if end == 0 {
            if status >= 200 && !headDelivered {
                headDelivered = true
                callbacks.onHead(TransferHead(status: status, fieldLines: fieldLines, httpVersion: negotiatedVersion))
                // A stream's head is read once; its buffer would otherwise stay for the stream's whole life.
                fieldLines = []
            }
        } else if end >= 5 && bytes[0] == 0x48 && bytes[1] == 0x54 && bytes[2] == 0x54 && bytes[3] == 0x50 && bytes[4] == 0x2F {
            // "HTTP/": a new status line. An interim 1xx response or a redirect starts the head over.
            status = CurlTransfer.statusCode(bytes[0..<end])
            fieldLines.removeAll(keepingCapacity: true)
        } else if let colon = bytes[0..<end].firstIndex(of: 0x3A) {
            var start = colon + 1
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            if fieldLines.capacity == 0 { fieldLines.reserveCapacity(256) }
            fieldLines.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0...colon]))
            fieldLines.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            fieldLines.append(UInt8(ascii: "\n"))
        }
    }

    /// The three digits after the first space of a status line ("HTTP/1.1 200 OK", "HTTP/2 429"); 0 if none.
    static func statusCode(_ line: Slice<UnsafeRawBufferPointer>) -> Int {
        guard let space = line.firstIndex(of: 0x20), space + 4 <= line.endIndex else { return 0 }
        var code = 0
        for index in (space + 1)..<(space + 4) {
            let digit = Int(line[index]) - 0x30
            guard (0...9).contains(digit) else { return 0 }
            code = code * 10 + digit
        }
        return code
    }

    /// 2 when the transfer runs over HTTP/2 (CURLINFO_HTTP_VERSION says CURL_HTTP_VERSION_2_0), else 1.
    private var negotiatedVersion: Int {
        var version = 0
        _ = agentd_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        return version == Int(agentd_CURL_HTTP_VERSION_2_0) ? 2 : 1
    }

    /// Connections this transfer had to open (0 when it reused a cached or multiplexed one).
    var connectionsOpened: Int {
        var count = 0
        _ = agentd_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    fileprivate func received(_ bytes: UnsafeRawBufferPointer) -> Int {
        active = true
        if abortReason != nil { return 0 }
        if !headDelivered {
            // Bodies without a blank-line-terminated head reach here only on protocol errors; deliver what we have.
            headDelivered = true
            callbacks.onHead(TransferHead(status: status, fieldLines: fieldLines, httpVersion: negotiatedVersion))
        }
        switch callbacks.onData(bytes) {
        case .proceed:
            return bytes.count
        case .pause:
            // The consumer took these bytes and wants no more for now. CURL_WRITEFUNC_PAUSE would mean "not
            // consumed" (curl delivers them again on resume); curl_easy_pause may be called from a callback.
            isPaused = true
            profile = nil
            _ = curl_easy_pause(easy, agentd_CURLPAUSE_RECV)
            return bytes.count
        case .abort:
            profile = nil
            abortReason = .network("response refused by its consumer")
            return 0
        }
    }
}

/// CURLOPT_WRITEFUNCTION: body bytes.
private let curlWriteCallback: curl_write_callback = { pointer, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    return transfer.received(bytes)
}

/// CURLOPT_HEADERFUNCTION: one header line at a time, status line first, a blank line last.
private let curlHeaderCallback: curl_write_callback = { pointer, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

