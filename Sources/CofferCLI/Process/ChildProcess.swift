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

    /// A tool Coffer drives (`git config`, `composer global`), run to its end with its output captured. A
    /// status not in `allowed` is one error line, "`what` failed (exit N)", with the tool's first line of
    /// complaint (its `fatal: ` or `error: ` dropped, control characters escaped).
    static func capture(_ argv: [String], allowed: Set<Int32> = [0], what: String) throws -> (status: Int32, output: String) {
        guard let result = Subprocess.run(argv) else { throw CLIError.failure("cannot run \(argv[0])", hint: "install \(argv[0])") }
        guard allowed.contains(result.status) else {
            let said = result.stderr.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            let line = said.split(separator: "\n").map { $0.trimmed }.first { !$0.isEmpty }
                .map { $0.hasPrefix("fatal: ") || $0.hasPrefix("error: ") ? String($0.drop { $0 != " " }.dropFirst()) : $0 }
            throw CLIError.failure("\(what) failed (exit \(result.status))" + (line.map { ": " + Escaping.untrusted($0) } ?? ""))
        }
        return (result.status, result.output)
    }
}
