import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct MemberList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The members: name, key fingerprint, added when and by whom.")

    @Option(help: ArgumentHelp("The team (needed when you have several).", valueName: "team"))
    var team: String?

    @Flag(help: "Print a JSON object {team, vault_id, generation, sealed_by, members}.")
    var json = false

    @OptionGroup var options: VaultOptions

    func run() throws {
        var request = AgentMessageBuilder(op: .members)
        request.add(.team, try TeamSession.team(team, options))
        try TeamSession.printMembers(try TeamSession.ask(options, request), json: json)
    }
}
