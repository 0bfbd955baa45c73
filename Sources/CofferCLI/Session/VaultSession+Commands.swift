import CofferCore

/// The changes several commands share, each one request through the agent or one write of the file.
extension VaultSession {
    /// The shared body of `enable` and `disable`: no write when the entry is already in that state.
    static func setEnabled(_ enabled: Bool, name: String, acceptExposure: Bool = false, options: VaultOptions) throws {
        let word = enabled ? "enabled" : "disabled"
        let result = try VaultSession(options).change(.setEnabled(name, enabled, acceptExposure: acceptExposure))
        let accepted = acceptExposure ? " and accepted its exposure" : ""
        Console.out(result.changed ? "\(word) '\(name)'\(accepted)" : "'\(name)' is already \(word)")
    }

    /// Every `add` subcommand: the vault unlocked first (the passphrase before the secret), then `make`
    /// reads the secret and builds the entry, which is added and reported.
    static func add(_ options: VaultOptions, _ make: () throws -> Entry) throws {
        let session = VaultSession(options)
        try session.unlockFirst()
        let entry = try make()
        _ = try session.change(.add([entry], skipExisting: false))
        Console.out("added \(entry.kind.word) '\(entry.name)' for \(entry.host)")
    }
}
