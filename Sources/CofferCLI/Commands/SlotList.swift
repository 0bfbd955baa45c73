import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct SlotList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the slots: id and type.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let rows: [[String]]
        switch try VaultSession.access(options) {
        case .agent(let socket):
            let reply = try AgentClient(socketPath: socket).request(AgentMessageBuilder(op: "slots"))
            rows = reply.strings("slot").map { line in
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                return parts.count == 2 ? parts : [line, ""]
            }
        case .file(let unlock):
            let vault = try Vault.open(try options.store.read(), with: unlock)
            rows = vault.slots.enumerated().map { [String($0.offset), $0.element.typeName] }
        }
        Console.table([["ID", "TYPE"]] + rows).forEach(Console.out)
    }
}
