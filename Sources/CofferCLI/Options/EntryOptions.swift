import ArgumentParser
import CofferCore

/// What every `add` subcommand takes besides its kind's fields.
struct EntryOptions: ParsableArguments {
    @Argument(help: "A unique name for the entry.")
    var name: String

    @Option(help: "A note kept with the entry (not secret, but stored encrypted).")
    var note: String?

    func validate() throws {
        if !Entry.isValidName(name) { throw VaultError.invalidName(name) }
    }
}
