import Foundation

/// A certificate authority and a server certificate for 127.0.0.1 and localhost, made with the `openssl`
/// command for one test (RSA 2048, valid a day), and a second, unrelated authority that trusts nothing of them
/// (for the test that a certificate from an unknown CA is refused).
///
/// Owner: the test; the files live in the directory it passes (removed with the Redis server's directory).
public struct TestCertificates: Sendable {
    public let authority: String
    public let serverCertificate: String
    public let serverKey: String
    public let otherAuthority: String

    /// `subjectAltName`: the names the server certificate holds (OpenSSL's syntax).
    public init(directory: URL, subjectAltName: String = "IP:127.0.0.1,DNS:localhost") throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        authority = path("ca.crt")
        serverCertificate = path("server.crt")
        serverKey = path("server.key")
        otherAuthority = path("other-ca.crt")
        let extensions = path("server.ext")
        try "subjectAltName=\(subjectAltName)\nbasicConstraints=CA:FALSE\n".write(
            toFile: extensions, atomically: true, encoding: .utf8
        )
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=agentd test CA",
             "-keyout", path("ca.key"), "-out", authority],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", serverKey, "-out", path("server.csr")],
            ["x509", "-req", "-in", path("server.csr"), "-CA", authority, "-CAkey", path("ca.key"), "-CAcreateserial",
             "-days", "1", "-extfile", extensions, "-out", serverCertificate],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=another CA",
             "-keyout", path("other-ca.key"), "-out", otherAuthority],
        ]
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw RedisProcessError.certificates(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
