import CofferSystem

/// Runs a command as `coffer exec` does (`Spawn.runInForeground`), and ends coffer as it ended.
enum ChildProcess {
    static func run(_ command: [String], environment: [String: String]) throws -> Int32 {
        do {
            return try Spawn.runInForeground(command, environment: environment)
        } catch {
            throw CLIError.cannotRun("cannot run \(command[0]): \(error.errno.text)", notFound: error.errno == .noSuchFileOrDirectory)
        }
    }

    static func exitLike(_ status: Int32) -> Never { Process.exitLike(status) }
}
