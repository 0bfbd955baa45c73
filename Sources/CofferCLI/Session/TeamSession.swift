import CofferAgent
import CofferAgentProtocol
import CofferCore
import CofferSystem

/// Team commands go through the agent that holds the owner's vault: it keeps the identity, opens the team
/// vaults with it and checks each against the owner's memory of it (`vault-v2.md` §11.6). No identity
/// secret leaves the agent.
enum TeamSession {
    /// The agent's reply to `request`; `locked` (exit 8) when no agent holds the vault.
    static func ask(_ options: VaultOptions, _ request: AgentMessageBuilder) throws -> AgentMessage {
        let socket = AgentSocket.path(forVault: options.vaultPath)
        guard let reply = try AgentClient.requestIfRunning(socketPath: socket, request) else {
            throw CLIError.locked(socket: socket)
        }
        return reply
    }

    /// The team a command is about: `--team`, else the only one there is.
    static func team(_ named: String?, _ options: VaultOptions) throws -> String {
        if let named { return named }
        let teams = try ask(options, AgentMessageBuilder(op: .teams))
        let names = AgentCodec.teams(teams).map(\.name) + AgentCodec.problems(teams).map(\.team)
        guard names.count == 1 else {
            throw CLIError.usage(names.isEmpty ? "you have no team vault" : "you have several team vaults: \(names.joined(separator: ", "))",
                                 hint: names.isEmpty ? "create one with 'coffer team init PATH' or add one with 'coffer team add PATH'" : "name one with --team NAME")
        }
        return names[0]
    }

    /// An absolute path: the agent runs elsewhere.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (Files.currentDirectory ?? ".") + "/" + path
    }

    /// The members of a `members`-shaped reply, printed as `coffer member list` and the team commands do.
    static func printMembers(_ reply: AgentMessage, json: Bool) throws {
        let members = try reply.strings(.member).map(AgentCodec.member)
        if json {
            struct View: Encodable { let name: String; let fingerprint: String; let public_key: String; let added: String; let added_by: String }
            struct Team: Encodable { let team: String; let vault_id: String; let generation: Int; let sealed_by: String?; let members: [View] }
            Console.out(try EntryView.json(Team(team: reply.string(.team) ?? "", vault_id: reply.string(.vaultID) ?? "", generation: reply.int(.generation) ?? 0,
                                                sealed_by: reply.string(.sealer),
                                                members: members.map { View(name: $0.name, fingerprint: $0.fingerprint, public_key: Identity.line($0.publicKey),
                                                                            added: Clock.format($0.added), added_by: $0.addedBy) })))
            return
        }
        var rows = [["NAME", "FINGERPRINT", "ADDED", "ADDED BY"]]
        for m in members { rows.append([m.name, m.fingerprint, Clock.format(m.added), m.addedBy.isEmpty ? "-" : m.addedBy]) }
        Console.table(rows).forEach(Console.out)
    }
}
