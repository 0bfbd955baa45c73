import ArgumentParser
import CofferCore

/// What every `add` subcommand takes besides its kind's fields.
struct EntryOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A unique name for the entry: 1 to 128 of letters, digits and . _ - @ + : /, starting with a letter or digit.", valueName: "name"))
    var name: String

    @Option(help: "A note kept with the entry (not secret, but stored encrypted).")
    var note: String?

    func validate() throws {
        if !Entry.isValidName(name) { throw VaultError.invalidName(name) }
    }
}
