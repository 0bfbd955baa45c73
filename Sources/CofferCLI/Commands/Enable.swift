import ArgumentParser
import CofferCore

struct Enable: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enable an entry again (also clears a rejection by git).")

    @Argument(help: "The entry's name.")
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        try setEnabled(true, name: name, options: options)
    }
}

/// The shared body of `enable` and `disable`: no write when the entry is already in that state.
func setEnabled(_ enabled: Bool, name: String, options: VaultOptions) throws {
    let word = enabled ? "enabled" : "disabled"
    let changed = try VaultSession.modify(options) { vault -> (changed: Bool, result: Bool) in
        guard let entry = vault.entry(named: name) else { throw VaultError.entryNotFound(name) }
        if entry.enabled == enabled && entry.rejectedAt == nil { return (false, false) }
        try vault.update(name) { e in e.setEnabled(enabled, at: Clock.now()) }
        return (true, true)
    }
    Console.out(changed ? "\(word) '\(name)'" : "'\(name)' is already \(word)")
}
