import Foundation

/// A file a setting names (`AGENTD_AGENTS_FILE`, `AGENTD_PRICES_FILE`), read whole at start.
///
/// The loaders share its refusals, so every such file fails the same way: missing, a directory, unreadable.
enum ConfigurationFile {
    /// Why the file could not be read, in words for the loader's error (`no such file`, ...).
    struct Problem: Error {
        let message: String
    }

    static func read(_ path: String) throws(Problem) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Problem(message: "no such file")
        }
        guard !isDirectory.boolValue else { throw Problem(message: "is a directory, not a JSON file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(message: "cannot be read (check its permissions)")
        }
        return [UInt8](data)
    }
}
