import ArgumentParser
import CofferCore

struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Change the passphrase and/or the KDF level: the vault key is rewrapped, entries are not re-encrypted.")

    @OptionGroup var options: VaultOptions

    @Option(name: .customLong("new-passphrase-fd"), help: ArgumentHelp("Read the new passphrase from this file descriptor.", valueName: "n"))
    var newPassphraseFD: Int32?

    @Option(name: .customLong("new-passphrase-file"), help: ArgumentHelp("Read the new passphrase from the first line of this file.", valueName: "path"))
    var newPassphraseFile: String?

    @Option(help: "The new Argon2id cost (default: keep the current one).")
    var kdf: KDFParameters.Level?

    func validate() throws {
        if newPassphraseFD != nil && newPassphraseFile != nil {
            throw ValidationError("use only one of --new-passphrase-fd and --new-passphrase-file")
        }
    }

    func run() throws {
        let unlock = try options.unlock()
        let newPassphrase = try SecretInput.passphrase(
            fd: newPassphraseFD, file: newPassphraseFile, prompt: "New passphrase: ", confirm: true)
        let store = options.store
        let parameters = try store.withLock { () throws -> KDFParameters in
            let file = try VaultFile(parsing: try store.read())
            var vault = try Vault.open(file, with: unlock)
            let current = file.passphraseSlots.first?.kdf ?? KDFParameters(level: .moderate)
            let parameters = kdf.map { KDFParameters(level: $0) } ?? current
            try vault.setPassphrase(newPassphrase, kdf: parameters)
            try store.write(try vault.seal())
            return parameters
        }.get()
        let level = parameters.level?.rawValue ?? "custom"
        Console.out("passphrase changed (kdf \(level): opslimit \(parameters.opsLimit), memlimit \(parameters.memLimit >> 20) MiB)")
    }
}
