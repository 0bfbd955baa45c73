import ArgumentParser
import Foundation

struct GitSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Make git-credential-coffer git's credential helper (idempotent); --undo removes it.")

    @Option(help: "Only for this host (credential.https://HOST.helper).")
    var host: String?

    @Flag(help: "Write ~/.gitconfig (the default).")
    var global = false

    @Flag(help: "Write the current repository's .git/config.")
    var local = false

    @Flag(help: "Remove the helper instead.")
    var undo = false

    func validate() throws {
        if global && local { throw ValidationError("use only one of --global and --local") }
    }

    var key: String { host.map { "credential.https://\($0).helper" } ?? "credential.helper" }
    var scope: String { local ? "--local" : "--global" }

    func run() throws {
        let current = try git(["config", scope, "--get-all", key]).output.split(separator: "\n").map(String.init)
        if undo {
            guard current.contains("coffer") else {
                Console.out("\(key) has no coffer helper (\(scope.dropFirst(2)))")
                return
            }
            try check(git(["config", scope, "--unset-all", key, "^coffer$"]))
            Console.out("removed coffer from \(key) (\(scope.dropFirst(2)))")
            return
        }
        if current.contains("coffer") {
            Console.out("\(key) already includes coffer (\(scope.dropFirst(2)))")
            return
        }
        try check(git(["config", scope, "--add", key, "coffer"]))
        Console.out("git will ask coffer for credentials: \(key)=coffer (\(scope.dropFirst(2)))")
    }

    func git(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw CLIError.failure("cannot run git", hint: "install git") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func check(_ result: (status: Int32, output: String)) throws {
        guard result.status == 0 else { throw CLIError.failure("git config failed (exit \(result.status))") }
    }
}
