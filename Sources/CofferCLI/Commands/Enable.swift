import ArgumentParser
import CofferCore

struct Enable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable an entry again (also clears a rejection by git).")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession.setEnabled(true, name: name, options: options)
    }
}
