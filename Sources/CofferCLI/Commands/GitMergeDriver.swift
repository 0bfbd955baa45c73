import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct GitMergeDriver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-driver",
        abstract: "git's merge driver for team vaults (set up by 'coffer git setup --merge-driver'; git runs it).",
        discussion: "Merges the three versions git gives entry by entry and writes the result over OURS. When it cannot merge safely it changes nothing and exits 1, and git reports a conflict.")

    @Argument(help: ArgumentHelp("The common version (git's %O).", valueName: "base"))
    var base: String

    @Argument(help: ArgumentHelp("This branch's version, replaced by the result (%A).", valueName: "ours"))
    var ours: String

    @Argument(help: ArgumentHelp("The other branch's version (%B).", valueName: "theirs"))
    var theirs: String

    @Argument(help: ArgumentHelp("The file's path in the repository (%P), for messages.", valueName: "path"))
    var path: String?

    @OptionGroup var options: VaultOptions

    func run() throws {
        var request = AgentMessageBuilder(op: .merge)
        request.add(.base, TeamSession.absolute(base))
        request.add(.ours, TeamSession.absolute(ours))
        request.add(.theirs, TeamSession.absolute(theirs))
        request.add(.now, Int(Clock.now()))
        let file = path ?? "the team vault"
        let again = "then run 'git checkout -m -- \(path ?? "PATH")' to merge it again, or 'git merge --abort'"
        let reply: AgentMessage
        do {
            reply = try TeamSession.ask(options, request)
        } catch CLIError.locked(let socket) {
            throw CLIError.failure("cannot merge \(file): the vault is locked (no agent at \(socket))", hint: "run 'coffer unlock', " + again)
        } catch AgentError.remote(let message, _) {
            throw CLIError.failure("\(message) (\(file))", hint: "the file was left as git left it; resolve it with the team, " + again)
        }
        for note in reply.strings(.note) { Console.note("\(file): \(note)") }
    }
}
