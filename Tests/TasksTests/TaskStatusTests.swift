import Testing
@testable import Tasks

@Suite struct TaskStatusTests {
    @Test func onlyFinishedStatusesAreFinal() {
        #expect(TaskStatus.allCases.filter(\.isFinal) == [.completed, .failed, .cancelled])
    }
}
