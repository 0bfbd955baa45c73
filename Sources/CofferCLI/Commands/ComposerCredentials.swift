import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore

/// What the composer plugin runs, once per host a composer run needs: machine-readable, from the agent only.
struct ComposerCredentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "For the composer plugin: one host's credentials as auth.json sections, JSON on stdout.",
        discussion: "Answered by the running agent only: it never prompts and never opens the file; exit 8 when the vault is locked. The entries are chosen as 'coffer export composer --host HOST' chooses them. Prints {} when none is for that host.")

    @Option(help: ArgumentHelp("The host, as composer names it (with :port when not the default).", valueName: "host"))
    var host: String

    @Option(name: .long, help: VaultOptions.vaultHelp)
    var vault: String?

    func run() throws {
        let socket = AgentSocket.path(forVault: VaultLocation.resolve(vault))
        let request = AgentCodec.exportRequest(EntrySelection(hosts: [host], enabledOnly: true), history: false)
        guard let reply = try AgentClient.requestIfRunning(socketPath: socket, request) else { throw CLIError.locked(socket: socket) }
        let entries = try AgentCodec.entries(reply, redacted: false)
        let (document, warnings) = try ProjectChoice.composerDocument(entries, names: [], hosts: [host]) { names in
            guard let listed = try AgentClient.requestIfRunning(socketPath: socket, AgentCodec.listRequest(EntrySelection(names: names))) else {
                throw CLIError.locked(socket: socket)
            }
            return try AgentCodec.entries(listed, redacted: true)
        }
        warnings.forEach { Console.warning($0) }
        Console.out(JSONText.encode(ComposerAuth.json(document), pretty: false))
    }
}
