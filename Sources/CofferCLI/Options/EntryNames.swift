import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore

/// Entry-name completion for the shells: the names the running agent holds (no secret crosses), or none
/// when the vault is locked. Never prompts and never opens the file, since the names are encrypted.
enum EntryNames {
    /// The `ArgumentHelp` every NAME argument shares, with the naming rules.
    static let help = ArgumentHelp("The entry's name (1 to 128 of letters, digits and . _ - @ + : /, starting with a letter or digit).", valueName: "name")

    @Sendable static func complete(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        var vault: String?
        for (i, a) in arguments.enumerated() {
            if a == "--vault", i + 1 < arguments.count { vault = arguments[i + 1] }
            if a.hasPrefix("--vault=") { vault = String(a.dropFirst(8)) }
        }
        let socket = AgentSocket.path(forVault: VaultLocation.resolve(vault))
        guard let reply = try? AgentClient.requestIfRunning(socketPath: socket, AgentCodec.listRequest(.all)),
              let entries = try? AgentCodec.entries(reply, redacted: true) else { return [] }
        return entries.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
