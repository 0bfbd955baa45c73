import ArgumentParser
import CofferCore

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Replace an entry's secret; the old one is kept as a disabled history record.",
        discussion: "The new secret is read from the terminal or standard input. A key pair usually gets a new public key too (--public-key).")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @OptionGroup var options: VaultOptions

    @Option(name: .customLong("public-key"), help: "The new public key (key pairs only).")
    var publicKey: String?

    @Flag(name: .customLong("purge-history"), help: "Keep no earlier secrets, not even the one replaced now.")
    var purgeHistory = false

    func run() throws {
        // One session for both steps: opening the file, it is read and unlocked once (one KDF); through the
        // agent, one request reads the entry (without its secret) and one makes the change.
        let session = VaultSession(options)
        guard let e = try session.list(EntrySelection(names: [name])).first else { throw VaultError.entryNotFound(name) }
        let (entryKind, tokenType) = (e.kind, e.tokenType)
        if publicKey != nil && entryKind != .keypair {
            throw CLIError.usage("--public-key is for key pairs only; '\(name)' is a \(entryKind.word)")
        }
        if let publicKey { warnUnlessMagentoKeyLength("public key", publicKey.count) }
        let label = EntryView.labels(entryKind, tokenType).secret
        let secret = try SecretInput.secret(prompt: "New \(label): ", what: label)
        if entryKind == .keypair { warnUnlessMagentoKeyLength("private key", secret.characterCount) }
        _ = try session.change(.rotate(name, secret: secret, username: publicKey, purgeHistory: purgeHistory))
        Console.out("rotated '\(name)'" + (purgeHistory ? "; history purged" : "; the old \(label) is kept as history"))
    }
}
