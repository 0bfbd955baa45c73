import ArgumentParser
import CofferCore

extension KDFParameters.Level: ExpressibleByArgument {}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new, empty vault protected by a passphrase.")

    @OptionGroup var options: NewVaultOptions

    @Option(help: "Argon2id cost: interactive, moderate or sensitive.")
    var kdf: KDFParameters.Level = .moderate

    func run() throws {
        let store = options.store
        if store.exists { throw VaultError.vaultExists(store.path) }
        let passphrase = try SecretInput.passphrase(
            fd: options.passphraseFD, file: options.passphraseFile, prompt: "New passphrase: ", confirm: true)
        let parameters = KDFParameters(level: kdf)
        Console.progress("deriving the vault's key from the passphrase (Argon2id, \(parameters.memLimit >> 20) MiB)…")
        var vault = try Vault.create(passphrase: passphrase, kdf: parameters)
        let sealed = try vault.seal()
        try store.createDirectory()
        try store.withLock { () throws -> Void in
            // Checked again under the lock: two concurrent inits must not overwrite each other.
            if store.exists { throw VaultError.vaultExists(store.path) }
            try store.write(sealed)
        }.get()
        Console.out("created \(store.path) (kdf \(kdf.rawValue): opslimit \(parameters.opsLimit), memlimit \(parameters.memLimit >> 20) MiB)")
    }
}
