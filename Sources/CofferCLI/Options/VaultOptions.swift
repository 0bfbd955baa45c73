import ArgumentParser
import CofferAgentProtocol
import CofferCore

/// Which vault, and how to unlock it: shared by every command that opens the vault.
struct VaultOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The vault file (default: $COFFER_VAULT, else $XDG_DATA_HOME/coffer/vault.coffer).", valueName: "path"))
    var vault: String?

    @Option(name: .customLong("passphrase-fd"), help: ArgumentHelp("Read the passphrase from this file descriptor.", valueName: "n"))
    var passphraseFD: Int32?

    @Option(name: .customLong("passphrase-file"), help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "path"))
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

    /// How to unlock, reading the passphrase or key file now.
    func unlock() throws -> Unlock {
        if let keyFile { return .keyFile(try KeyFileIO.read(keyFile)) }
        return .passphrase(try SecretInput.passphrase(fd: passphraseFD, file: passphraseFile, prompt: "Passphrase: ", confirm: false))
    }
}
