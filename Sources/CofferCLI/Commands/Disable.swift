import ArgumentParser
import CofferCore

struct Disable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an entry: it stays in the vault but never answers git or exports.")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession.setEnabled(false, name: name, options: options)
    }
}
