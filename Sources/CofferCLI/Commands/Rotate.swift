import ArgumentParser
import CofferCore

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace an entry's secret; the old one is kept as a disabled history record.",
        discussion: "The new secret is read from the terminal or standard input. A key pair usually gets a new public key too (--public-key).")

    @Argument(help: "The entry's name.")
    var name: String

    @OptionGroup var options: VaultOptions

    @Option(name: .customLong("public-key"), help: "The new public key (key pairs only).")
    var publicKey: String?

    @Flag(name: .customLong("purge-history"), help: "Keep no earlier secrets, not even the one replaced now.")
    var purgeHistory = false

    func run() throws {
        // Decided once: a passphrase on a pipe can be read only once, and both steps must use the same way in.
        let access = try VaultSession.access(options)
        let (entryKind, tokenType) = try VaultSession.read(options, access: access) { vault -> (EntryKind, TokenType?) in
            guard let e = vault.entry(named: name) else { throw VaultError.entryNotFound(name) }
            return (e.kind, e.tokenType)
        }
        if publicKey != nil && entryKind != .keypair {
            throw CLIError.usage("--public-key is for key pairs only; '\(name)' is a \(entryKind.word)")
        }
        if let publicKey { warnUnlessMagentoKeyLength("public key", publicKey.count) }
        let label = EntryView.labels(entryKind, tokenType).secret
        let secret = try SecretInput.secret(prompt: "New \(label): ", what: label)
        if entryKind == .keypair { warnUnlessMagentoKeyLength("private key", secret.revealedCount) }
        let now = Clock.now()
        try VaultSession.modify(options, access: access) { vault in
            try vault.update(name) { e in
                let record = HistoryRecord(created: e.updated, retired: now, username: publicKey == nil ? nil : e.username, secret: e.secret)
                e.history = purgeHistory ? [] : e.history + [record]
                e.secret = secret
                if let publicKey { e.username = publicKey }
                e.updated = now
            }
            return (true, ())
        }
        Console.out("rotated '\(name)'" + (purgeHistory ? "; history purged" : "; the old \(label) is kept as history"))
    }
}
