import CCurl
import Testing

/// The `CCurl` system-library target resolves through pkg-config and links: the LLM layer builds on it.
@Suite("CCurl links against libcurl")
struct CCurlLinkTests {
    @Test("curl_version_info reports a version, the same one curl_version names")
    func versionInfo() throws {
        // CURLVERSION_NOW is a macro aliasing another enum constant, which Swift does not import;
        // CURLVERSION_FIRST asks for the oldest layout, whose `version` field every libcurl fills.
        let info = try #require(curl_version_info(CURLVERSION_FIRST))
        let version = String(cString: try #require(info.pointee.version))
        let parts = version.split(separator: ".")

        #expect(parts.count >= 2 && parts.allSatisfy { Int($0) != nil }, "a dotted version: \(version)")
        #expect(info.pointee.version_num > 0x07_00_00, "libcurl 7 or later: \(version)")
        #expect(String(cString: curl_version()).hasPrefix("libcurl/\(version)"))
    }
}
