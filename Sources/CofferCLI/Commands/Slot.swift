import ArgumentParser

struct SlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slot",
        abstract: "Manage the ways to unlock: the passphrase slot and key-file slots for unattended use.",
        subcommands: [SlotAddKeyFile.self, SlotList.self, SlotRemove.self])
}
