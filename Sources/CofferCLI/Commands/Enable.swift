import ArgumentParser
import CofferCore

struct Enable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable an entry again (also clears a rejection by git).")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @Flag(help: "Keep the secret although a removed team member could read it: clears its exposure marks.")
    var acceptExposure = false

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession.setEnabled(true, name: name, acceptExposure: acceptExposure, options: options)
    }
}
