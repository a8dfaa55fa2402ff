// Shared by every harness: Fuzz/run.sh compiles it into each target's module.

/// `precondition` that keeps its message in -O builds (fatalError prints it), so a crash says which
/// invariant broke. libFuzzer reports the trap as a crash and saves the input.
@inline(__always)
func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
