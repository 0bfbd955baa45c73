import ArgumentParser

struct SlotRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a slot; the last slot that opens the vault cannot be removed.")

    @Argument(help: "The slot's id, from 'coffer slot list'.")
    var id: Int

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession(options).removeSlot(id: id)
        Console.out("removed slot \(id)")
    }
}
