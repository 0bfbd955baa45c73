import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore

struct TeamList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The team vaults you were given, and any that is refused.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let reply = try TeamSession.ask(options, AgentMessageBuilder(op: .teams))
        var rows = [["TEAM", "GENERATION", "ENTRIES", "PATH"]]
        for t in AgentCodec.teams(reply) { rows.append([t.name, t.generation, String(t.entries), t.path]) }
        if rows.count > 1 { Console.table(rows).forEach(Console.out) }
        VaultSession.warnOfRefusedTeams(reply)
        if rows.count == 1 && reply.strings(.problem).isEmpty { Console.out("no team vaults") }
    }
}
