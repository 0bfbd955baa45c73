import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct TeamAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Open the team vault at PATH with your identity and remember it: its entries join yours.",
        discussion: "Prints what you now trust: the vault id, generation, who sealed your key and every member's fingerprint; check them with the team. From then on a rollback to an older generation, another vault at PATH, or a vault sealed by someone who was not a member is refused. --accept trusts the file as it is now, after you have checked such a change with the team.")

    @Argument(help: ArgumentHelp("The team vault file.", valueName: "path"))
    var path: String

    @Option(help: ArgumentHelp("How you call the team (default: the file's name without .coffer).", valueName: "team"))
    var name: String?

    @Flag(help: "Trust the file as it is now, replacing what was remembered of this team.")
    var accept = false

    @Flag(help: "Print a JSON object {team, vault_id, generation, sealed_by, members}.")
    var json = false

    @OptionGroup var options: VaultOptions

    static func defaultName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".coffer") ? String(file.dropLast(7)) : file
    }

    func run() throws {
        let path = TeamSession.absolute(self.path)
        var request = AgentMessageBuilder(op: .teamAdd)
        request.add(.path, path)
        request.add(.team, name ?? TeamAdd.defaultName(path))
        request.add(.now, Int(Clock.now()))
        if accept { request.add(.accept, true) }
        let reply = try TeamSession.ask(options, request)
        if !json {
            Console.out("team '\(reply.string(.team) ?? "")': vault \(reply.string(.vaultID) ?? ""), generation \(reply.int(.generation) ?? 0), your key sealed by \(reply.string(.sealer) ?? "-")")
        }
        try TeamSession.printMembers(reply, json: json)
    }
}
