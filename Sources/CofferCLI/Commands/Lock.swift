import ArgumentParser
import CofferAgentProtocol
import CofferSystem

struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lock", abstract: "Lock the vault: the agent wipes its memory and exits.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let vault = AgentSocket.absolute(options.vaultPath)
        let socket = AgentSocket.path(forVault: vault)
        guard try AgentClient.requestIfRunning(socketPath: socket, AgentMessageBuilder(op: .lock)) != nil else {
            Console.out("\(vault) was not unlocked (no agent listens at \(socket))")
            return
        }
        // Return once the agent is gone, so the next command already finds the vault locked.
        for _ in 0..<200 where Files.exists(socket) { Process.sleep(milliseconds: 10) }
        Console.out("locked \(vault)")
    }
}
