import Foundation

// Top-level code is main-actor isolated in Swift 6; everything it starts lives in nonisolated types.
exit(MockCommand.run(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
