import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore

struct MemberAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a member by the key line 'coffer identity show' printed for them.")

    @Argument(help: ArgumentHelp("The member's name in the team.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("Their public key line, COFFER-MEMBER-1:….", valueName: "key"))
    var key: String

    @Option(help: ArgumentHelp("The team (needed when you have several).", valueName: "team"))
    var team: String?

    @OptionGroup var options: VaultOptions

    func run() throws {
        var request = AgentMessageBuilder(op: .memberAdd)
        request.add(.team, try TeamSession.team(team, options))
        request.add(.member, name)
        request.add(.publicKey, key)
        request.add(.now, Int(Clock.now()))
        let reply = try TeamSession.ask(options, request)
        let added = try reply.strings(.member).map(AgentCodec.member).first { $0.name == name }
        Console.out("added \(name) (\(added?.fingerprint ?? "")) to team '\(reply.string(.team) ?? "")'; commit and push the vault")
    }
}
