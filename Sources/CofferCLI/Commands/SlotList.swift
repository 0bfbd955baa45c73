import ArgumentParser

struct SlotList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the slots: id and type.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let rows = try VaultSession(options).slots().map { [$0.id, $0.type] }
        Console.table([["ID", "TYPE"]] + rows).forEach(Console.out)
    }
}
