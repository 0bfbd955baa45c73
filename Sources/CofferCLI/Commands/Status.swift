import ArgumentParser
import CofferAgentProtocol

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Say whether the vault is unlocked, and for how long.")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print a JSON object (fields documented in the README).")
    var json = false

    struct View: Encodable {
        let state: String
        let vault: String
        let socket: String
        let pid: Int?
        let entries: Int?
        let idle_seconds_left: Int?
        let max_seconds_left: Int?
    }

    func run() throws {
        let vault = AgentSocket.absolute(options.vaultPath)
        let socket = AgentSocket.path(forVault: vault)
        var view = View(state: "locked", vault: vault, socket: socket, pid: nil, entries: nil, idle_seconds_left: nil, max_seconds_left: nil)
        if let reply = try Status.ask(socket) {
            view = View(state: "unlocked", vault: vault, socket: socket, pid: reply.int(.pid), entries: reply.int(.entries),
                        idle_seconds_left: reply.int(.idleLeft), max_seconds_left: reply.int(.maxLeft))
        }
        if json {
            Console.out(try EntryView.json(view))
        } else if view.state == "locked" {
            Console.out("locked: \(vault)")
        } else {
            Console.out("unlocked: \(vault) (\(view.entries ?? 0) entries); locks after \(DurationText.format(view.idle_seconds_left ?? 0)) idle, at the latest in \(DurationText.format(view.max_seconds_left ?? 0))")
        }
    }

    /// The agent's status, or nil when none answers: no socket, a stale one, or an agent that stopped first.
    static func ask(_ socket: String) throws -> AgentMessage? {
        try AgentClient.requestIfRunning(socketPath: socket, AgentMessageBuilder(op: .status))
    }
}
