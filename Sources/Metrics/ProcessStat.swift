/// The fields of `/proc/[pid]/stat` the process collector needs, parsed from the file's bytes.
///
/// proc(5): the second field is the command name in parentheses and may itself hold spaces and `)`, so
/// the fields are counted from the last `)`. A pure value: parsing never reads a file.
struct ProcessStat: Equatable {
    /// Field numbers (1-based, as proc(5) numbers them).
    private static let userTicksField = 14
    private static let systemTicksField = 15
    private static let startTicksField = 22
    private static let virtualBytesField = 23
    private static let residentPagesField = 24
    /// The first field after the command name's `)` is field 3 (the state).
    private static let firstFieldAfterCommand = 3

    /// User plus system CPU time, in clock ticks (`sysconf(_SC_CLK_TCK)`).
    var cpuTicks: UInt64
    /// When the process started, in clock ticks after boot.
    var startTicksAfterBoot: UInt64
    /// Virtual memory size in bytes.
    var virtualMemoryBytes: UInt64
    /// Resident set size in pages.
    var residentPages: UInt64

    /// Parses the contents of `/proc/self/stat`; nil when a needed field is missing or not a number.
    init?(statBytes bytes: [UInt8]) {
        guard let commandEnd = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(commandEnd + 1)...].split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
        func field(_ number: Int) -> UInt64? {
            let index = number - Self.firstFieldAfterCommand
            guard index < fields.count else { return nil }
            return ProcessStat.decimal(fields[index])
        }
        guard let user = field(Self.userTicksField), let system = field(Self.systemTicksField),
              let start = field(Self.startTicksField), let virtual = field(Self.virtualBytesField),
              let resident = field(Self.residentPagesField)
        else { return nil }
        cpuTicks = user &+ system
        startTicksAfterBoot = start
        virtualMemoryBytes = virtual
        residentPages = resident
    }

    /// The boot time (`btime`, seconds since the Unix epoch) from the contents of `/proc/stat`.
    static func bootTimeSeconds(procStatBytes bytes: [UInt8]) -> UInt64? {
        let prefix = Array("btime ".utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
            return decimal(line.dropFirst(prefix.count))
        }
        return nil
    }

    /// An unsigned decimal number, or nil for anything else (empty, a sign, other bytes, overflow).
    static func decimal(_ digits: some Collection<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
