import Testing
@testable import HTTP

/// IMF-fixdate rendering (RFC 9110 §5.6.7) from Unix seconds, checked against `date -u`.
@Suite struct HTTPDateTests {
    @Test(arguments: [
        (Int64(0), "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
        (1_709_251_199, "Thu, 29 Feb 2024 23:59:59 GMT"),
        (1_709_251_200, "Fri, 01 Mar 2024 00:00:00 GMT"),
        (2_147_483_647, "Tue, 19 Jan 2038 03:14:07 GMT"),
        (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT"),
        (4_102_444_800, "Fri, 01 Jan 2100 00:00:00 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
    ])
    func knownInstants(seconds: Int64, expected: String) {
        #expect(HTTPDate.imfFixdate(unixSeconds: seconds) == expected)
    }

    @Test func year2100IsNotALeapYear() {
        // 2100-02-28 plus one day is 1 March: the century rule of the Gregorian calendar.
        let february28 = Int64(4_107_542_400 - 86_400)
        #expect(HTTPDate.imfFixdate(unixSeconds: february28) == "Sun, 28 Feb 2100 00:00:00 GMT")
    }

    @Test func everyDayOfAYearIsConsecutive() {
        // Walk 2024 (a leap year) day by day: day of month and weekday advance by one, months roll over.
        let start = Int64(1_704_067_200)  // Mon, 01 Jan 2024
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let monthLengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var day = 0
        for (month, length) in monthLengths.enumerated() {
            for dayOfMonth in 1...length {
                let text = HTTPDate.imfFixdate(unixSeconds: start + Int64(day) * 86_400 + 45_296)
                let twoDigitDay = dayOfMonth < 10 ? "0\(dayOfMonth)" : "\(dayOfMonth)"
                #expect(text == "\(weekdays[day % 7]), \(twoDigitDay) \(months[month]) 2024 12:34:56 GMT")
                day += 1
            }
        }
        #expect(day == 366)
    }

    @Test func fixedLength() {
        for seconds in stride(from: Int64(0), to: 4_000_000_000, by: 12_345_677) {
            #expect(HTTPDate.imfFixdate(unixSeconds: seconds).utf8.count == 29)
        }
    }
}
