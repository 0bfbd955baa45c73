import CofferCore

/// The changes several commands share, each one request through the agent or one write of the file.
extension VaultSession {
    /// The shared body of `enable` and `disable`: no write when the entry is already in that state.
    static func setEnabled(_ enabled: Bool, name: String, options: VaultOptions) throws {
        let word = enabled ? "enabled" : "disabled"
        let result = try VaultSession(options).change(.setEnabled(name, enabled))
        Console.out(result.changed ? "\(word) '\(name)'" : "'\(name)' is already \(word)")
    }

    /// Adds `entry` and reports it: the common end of every `add` subcommand.
    static func add(_ entry: Entry, _ options: VaultOptions) throws {
        _ = try VaultSession(options).change(.add([entry], skipExisting: false))
        Console.out("added \(entry.kind.word) '\(entry.name)' for \(entry.host)")
    }
}
