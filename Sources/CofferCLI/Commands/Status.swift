import ArgumentParser
import CofferAgentProtocol
import CofferCore
import CofferSystem

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Say whether the vault is unlocked, and for how long.",
        discussion: "Exit status 0 when unlocked, 8 when locked, 6 when there is no vault: coffer status >/dev/null || coffer unlock.")

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
        } else if !Files.exists(vault) {
            // Not "locked": nothing could unlock it.
            throw VaultError.vaultNotFound(vault)
        }
        if json {
            Console.out(try EntryView.json(view))
        } else if view.state == "locked" {
            Console.out("locked: \(vault) (no agent listens at \(socket))")
        } else {
            Console.out("unlocked: \(vault) (\(Text.count(view.entries ?? 0, "entry", "entries"))); locks after \(DurationText.format(view.idle_seconds_left ?? 0)) idle, at the latest in \(DurationText.format(view.max_seconds_left ?? 0))")
        }
        // Like `ssh-add -l`: the status tells, so `coffer status >/dev/null || coffer unlock` works.
        if view.state == "locked" { throw ExitCode(ExitStatus.locked.rawValue) }
    }

    /// The agent's status, or nil when none answers: no socket, a stale one, or an agent that stopped first.
    static func ask(_ socket: String) throws -> AgentMessage? {
        try AgentClient.requestIfRunning(socketPath: socket, AgentMessageBuilder(op: .status))
    }
}
