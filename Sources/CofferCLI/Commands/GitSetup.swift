import ArgumentParser
import CofferSystem

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

    /// The helper installed beside this `coffer`, by absolute path: git then runs it directly, instead of
    /// starting a second git to find `git-credential-coffer` on PATH (about 2 ms of every fetch). Else
    /// the short name.
    static var helperValue: String {
        let sibling = Environment.executableDirectory + "git-credential-coffer"
        return Files.isExecutable(sibling) ? sibling : "coffer"
    }

    /// A value that is a coffer helper: the short name or the helper's path, with or without options.
    static func isCoffer(_ value: String) -> Bool {
        let command = value.split(separator: " ").first.map(String.init) ?? value
        return command == "coffer" || command.hasSuffix("/git-credential-coffer")
    }

    func run() throws {
        let current = try git(["config", scope, "--get-all", key]).output.split(separator: "\n").map(String.init)
        if undo {
            guard current.contains(where: GitSetup.isCoffer) else {
                Console.out("\(key) has no coffer helper (\(scope.dropFirst(2)))")
                return
            }
            try check(git(["config", scope, "--unset-all", key, "^(coffer|.*/git-credential-coffer)( |$)"]))
            Console.out("removed coffer from \(key) (\(scope.dropFirst(2)))")
            return
        }
        if current.contains(where: GitSetup.isCoffer) {
            Console.out("\(key) already includes coffer (\(scope.dropFirst(2)))")
            return
        }
        let value = GitSetup.helperValue
        try check(git(["config", scope, "--add", key, value]))
        Console.out("git will ask coffer for credentials: \(key)=\(value) (\(scope.dropFirst(2)))")
    }

    func git(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let result = Subprocess.run(["git"] + arguments) else { throw CLIError.failure("cannot run git", hint: "install git") }
        // git's own complaints reach the user as they would have from git.
        result.stderr.withUnsafeBytes { raw in Console.write(2, String(decoding: raw, as: UTF8.self)) }
        return (result.status, result.output)
    }

    func check(_ result: (status: Int32, output: String)) throws {
        guard result.status == 0 else { throw CLIError.failure("git config failed (exit \(result.status))") }
    }
}
