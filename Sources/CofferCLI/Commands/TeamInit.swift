import ArgumentParser
import CofferAgentProtocol
import CofferCore
import CofferSystem

struct TeamInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a team vault at PATH (in a git repository) with you as its first member.",
        discussion: "Also writes .gitattributes (merge=coffer) and .gitignore lines for it in PATH's directory; commit them with the vault.")

    @Argument(help: ArgumentHelp("The new team vault file.", valueName: "path"))
    var path: String

    @Option(help: ArgumentHelp("How you call the team: its entries are TEAM/NAME (default: the file's name without .coffer).", valueName: "team"))
    var name: String?

    @Option(help: ArgumentHelp("Your name in the team.", valueName: "name"))
    var member: String = Environment.get("USER") ?? "me"

    @OptionGroup var options: VaultOptions

    func run() throws {
        let path = TeamSession.absolute(self.path)
        var request = AgentMessageBuilder(op: .teamInit)
        request.add(.path, path)
        request.add(.team, name ?? TeamAdd.defaultName(path))
        request.add(.member, member)
        request.add(.now, Int(Clock.now()))
        let reply = try TeamSession.ask(options, request)
        try TeamInit.writeGitFiles(for: path)
        Console.out("created team vault '\(reply.string(.team) ?? "")' at \(path); add members with 'coffer member add NAME KEY'")
        Console.out("every member sets up the merge driver once: 'coffer git setup --merge-driver'")
    }

    /// `FILE merge=coffer` in `.gitattributes` and the lock and backup files in `.gitignore`, each once.
    static func writeGitFiles(for path: String) throws {
        let directory = Files.directory(of: path), file = (path as String).split(separator: "/").last.map(String.init) ?? path
        try append("\(file) merge=coffer", to: directory + "/.gitattributes")
        try append("\(file).lock", to: directory + "/.gitignore")
        try append("\(file).bak", to: directory + "/.gitignore")
    }

    private static func append(_ line: String, to path: String) throws {
        let current = (try? Files.read(path, limit: 1 << 20).bytes).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard !current.split(separator: "\n").contains(Substring(line)) else { return }
        let text = current + (current.isEmpty || current.hasSuffix("\n") ? "" : "\n") + line + "\n"
        do {
            try Files.replace(path, with: Array(text.utf8))
            try Files.setMode(path, 0o644)
        } catch { throw CLIError.failure("cannot write \(path): \(error)") }
    }
}
