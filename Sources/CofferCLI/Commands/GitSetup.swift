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

    @Flag(help: "Set up the merge driver for team vaults instead (merge.coffer.driver; .gitattributes says which files: 'coffer team init' writes it).")
    var mergeDriver = false

    @Flag(help: "Remove the helper instead.")
    var undo = false

    @Flag(help: "Print a JSON object {action, key, value, scope}; action is added, present, removed or absent.")
    var json = false

    struct Report: Encodable {
        let action: String
        let key: String
        let value: String?
        let scope: String
    }

    func validate() throws {
        if global && local { throw ValidationError("use only one of --global and --local") }
    }

    var key: String { mergeDriver ? "merge.coffer.driver" : host.map { "credential.https://\($0).helper" } ?? "credential.helper" }

    /// git's merge driver line: this `coffer`, by absolute path, with git's placeholders.
    static var driverValue: String {
        let sibling = Environment.executableDirectory + "coffer"
        // git runs it through the shell: a path with spaces or quotes is single-quoted.
        let program = Files.isExecutable(sibling) ? sibling : "coffer"
        let quoted = program.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+".contains($0) }) ? program : ComposerAuth.shellQuoted(program)
        return quoted + " git merge-driver %O %A %B %P"
    }
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
        if value.contains(" git merge-driver ") { return command == "coffer" || command.hasSuffix("/coffer") }
        return command == "coffer" || command.hasSuffix("/git-credential-coffer")
    }

    func run() throws {
        let scopeName = String(scope.dropFirst(2))
        if local {
            // One clear error instead of git's "fatal" from every config call.
            guard let inside = Subprocess.run(["git", "rev-parse", "--git-dir"]) else { throw CLIError.failure("cannot run git", hint: "install git") }
            guard inside.status == 0 else {
                throw CLIError.failure("not in a git repository", hint: "run it inside one, or leave out --local to set it for every repository")
            }
        }
        let current = try git(["config", scope, "--get-all", key], allowed: [0, 1]).output.split(separator: "\n").map(String.init)
        func report(_ action: String, _ value: String?, _ text: String) throws {
            Console.out(json ? try EntryView.json(Report(action: action, key: key, value: value, scope: scopeName)) : text)
        }
        let present = current.first(where: GitSetup.isCoffer)
        if undo {
            guard let present else { return try report("absent", nil, "\(key) has no coffer \(mergeDriver ? "merge driver" : "helper") (\(scopeName))") }
            _ = try git(["config", scope, "--unset-all", key, mergeDriver ? "^(coffer|.*/coffer) git merge-driver " : "^(coffer|.*/git-credential-coffer)( |$)"])
            if mergeDriver { _ = try git(["config", scope, "--unset-all", "merge.coffer.name"], allowed: [0, 5]) }
            return try report("removed", present, "removed coffer from \(key) (\(scopeName))")
        }
        if let present { return try report("present", present, "\(key) already includes coffer (\(scopeName))") }
        if mergeDriver {
            // One driver per name: a foreign value is replaced, not added beside.
            let value = GitSetup.driverValue
            _ = try git(["config", scope, "merge.coffer.name", "Coffer team vault"])
            _ = try git(["config", scope, key, value])
            return try report("added", value, "git will merge team vaults with coffer: \(key)=\(value) (\(scopeName))")
        }
        let value = GitSetup.helperValue
        _ = try git(["config", scope, "--add", key, value])
        try report("added", value, "git will ask coffer for credentials: \(key)=\(value) (\(scopeName))")
    }

    func git(_ arguments: [String], allowed: Set<Int32> = [0]) throws -> (status: Int32, output: String) {
        try ChildProcess.capture(["git"] + arguments, allowed: allowed, what: "git config")
    }
}
