import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct MemberRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a member: the vault is re-keyed, and every entry is marked exposed to them until rotated.",
        discussion: "They could read every secret until now: 'coffer list' shows each entry exposed to them; rotate it ('coffer rotate'), or keep it with 'coffer enable --accept-exposure NAME'. For Marketplace keys, that is the list of keys to disable at the Marketplace.")

    @Argument(help: ArgumentHelp("The member's name.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("The team (needed when you have several).", valueName: "team"))
    var team: String?

    @OptionGroup var options: VaultOptions

    func run() throws {
        let team = try TeamSession.team(self.team, options)
        var request = AgentMessageBuilder(op: .memberRemove)
        request.add(.team, team)
        request.add(.member, name)
        request.add(.now, Int(Clock.now()))
        let reply = try TeamSession.ask(options, request)
        let exposed = reply.int(.exposed) ?? 0
        Console.out("removed \(name) from team '\(team)'; the vault was re-keyed")
        if exposed > 0 {
            let one = exposed == 1
            Console.out("\(one ? "1 entry was" : "\(exposed) entries were") readable by \(name): rotate \(one ? "it" : "them") or accept the exposure ('coffer list' marks \(one ? "it" : "them"))")
        }
    }
}
