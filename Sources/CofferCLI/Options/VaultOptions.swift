import ArgumentParser
import CofferAgentProtocol
import CofferCore
import CofferSystem

/// Which vault, and how to unlock it: shared by every command that opens the vault.
struct VaultOptions: ParsableArguments {
    static let vaultHelp = ArgumentHelp("The vault file (default: $COFFER_VAULT, else $XDG_DATA_HOME/coffer/vault.coffer).", valueName: "path")
    static let fdHelp = ArgumentHelp("Read the passphrase from this file descriptor.", valueName: "n")
    static let fileHelp = ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "path")

    @Option(name: .long, help: vaultHelp)
    var vault: String?

    @Option(name: .customLong("passphrase-fd"), help: fdHelp)
    var passphraseFD: Int32?

    @Option(name: .customLong("passphrase-file"), help: fileHelp)
    var passphraseFile: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp("Unlock with a key file instead of the passphrase.", valueName: "path"))
    var keyFile: String?

    func validate() throws {
        let sources = [passphraseFD != nil, passphraseFile != nil, keyFile != nil].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("use only one of --passphrase-fd, --passphrase-file and --key-file")
        }
    }

    /// `--vault`, else `$COFFER_VAULT`, else `$XDG_DATA_HOME/coffer/vault.coffer`, else `~/.local/share/coffer/vault.coffer`.
    var vaultPath: String { VaultLocation.resolve(vault) }

    var store: VaultStore { VaultStore(path: vaultPath) }

    /// The user named a way to unlock: open the file, even when an agent is running.
    var hasExplicitUnlock: Bool { passphraseFD != nil || passphraseFile != nil || keyFile != nil }

    /// The passphrase is typed at the terminal (no descriptor, file or key file named).
    var asksOnTerminal: Bool { !hasExplicitUnlock }

    /// Unlocks `file` (one KDF a try): a wrong passphrase typed at the terminal is asked again, up to
    /// `SecretInput.terminalTries` in all, as sudo does; one from a descriptor, a file, or a key file is not.
    func open(_ file: VaultFile) throws -> Vault {
        try withPassphraseTries(read: unlock) { try Vault.open(file, with: $0) }
    }

    /// `read` the passphrase (or key file), then `unlock` with it (the KDF runs: "unlocking…" is said
    /// first); again after a wrong passphrase typed at the terminal, up to `SecretInput.terminalTries` in all.
    /// The file's `wrongPassphrase` and the agent's reply for it (`coffer unlock`) count alike.
    func withPassphraseTries<T, R>(read: () throws -> T, unlock: (T) throws -> R) throws -> R {
        var tries = 1
        while true {
            let secret = try read()
            Console.progress("unlocking…")
            do {
                return try unlock(secret)
            } catch {
                guard VaultOptions.isWrongPassphrase(error), asksOnTerminal, tries < SecretInput.terminalTries else { throw error }
                Terminal.say("wrong passphrase; try again")
                tries += 1
            }
        }
    }

    static func isWrongPassphrase(_ error: Error) -> Bool {
        if case VaultError.wrongPassphrase = error { return true }
        if case AgentError.remote(let message, .badKey) = error { return message == VaultError.wrongPassphrase.description }
        return false
    }

    /// How to unlock, reading the passphrase or key file now.
    func unlock() throws -> Unlock {
        if let keyFile { return .keyFile(try KeyFileIO.read(keyFile)) }
        return .passphrase(try SecretInput.passphrase(fd: passphraseFD, file: passphraseFile, prompt: "Passphrase: ", confirm: false))
    }
}

/// `init`'s options: the new vault and its first passphrase (a key file is added later, `slot add-keyfile`).
struct NewVaultOptions: ParsableArguments {
    @Option(name: .long, help: VaultOptions.vaultHelp)
    var vault: String?

    @Option(name: .customLong("passphrase-fd"), help: VaultOptions.fdHelp)
    var passphraseFD: Int32?

    @Option(name: .customLong("passphrase-file"), help: VaultOptions.fileHelp)
    var passphraseFile: String?

    func validate() throws {
        if passphraseFD != nil && passphraseFile != nil { throw ValidationError("use only one of --passphrase-fd and --passphrase-file") }
    }

    var store: VaultStore { VaultStore(path: VaultLocation.resolve(vault)) }
}
