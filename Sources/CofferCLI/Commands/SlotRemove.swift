import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct SlotRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a slot; the last slot that opens the vault cannot be removed.")

    @Argument(help: "The slot's id, from 'coffer slot list'.")
    var id: Int

    @OptionGroup var options: VaultOptions

    func run() throws {
        switch try VaultSession.access(options) {
        case .agent(let socket):
            var request = AgentMessageBuilder(op: "slot-remove")
            request.add("id", id)
            _ = try AgentClient(socketPath: socket).request(request)
        case .file(let unlock):
            try VaultSession.modifyVault(options, unlock: unlock) { vault in
                try vault.removeSlot(id: id)
                return (true, ())
            }
        }
        Console.out("removed slot \(id)")
    }
}
