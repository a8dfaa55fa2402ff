import Testing
import Resilience

@Suite struct ManualClockTests {
    @Test func movesOnlyWhenAdvanced() {
        let clock = ManualClock(startMs: 5)
        #expect(clock.nowMs == 5)
        clock.advance(byMs: 250)
        #expect(clock.nowMs == 255)
    }

    @Test func systemClockNeverGoesBack() {
        let clock = SystemClock()
        let first = clock.nowMs
        #expect(clock.nowMs >= first)
    }
}
