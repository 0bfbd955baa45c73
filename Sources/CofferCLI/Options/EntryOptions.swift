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

extension Vault {
    /// Adds `entry` and reports it: the common end of every `add` subcommand.
    static func addReporting(_ entry: Entry, _ options: VaultOptions) throws {
        try VaultSession.modify(options) { vault in
            try vault.add(entry)
            return (true, ())
        }
        Console.out("added \(entry.kind.word) '\(entry.name)' for \(entry.host)")
    }
}

/// Magento Marketplace keys are 32 characters; anything else is probably a paste error, but not refused.
func warnUnlessMagentoKeyLength(_ what: String, _ length: Int) {
    if length != 32 { Console.warning("the \(what) is \(length) characters; marketplace keys are 32") }
}
