import ArgumentParser
import CofferCore

struct AddKeypair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keypair",
        abstract: "Add a Marketplace access key pair; the private key is read from the terminal or stdin.")

    @OptionGroup var entry: EntryOptions
    @OptionGroup var options: VaultOptions

    @Option(help: "The repository host.")
    var host: String = EntryKind.keypair.defaultHost!

    @Option(name: .customLong("public-key"), help: "The public key (the HTTP username).")
    var publicKey: String

    func run() throws {
        warnUnlessMagentoKeyLength("public key", publicKey.count)
        try VaultSession.add(options) {
            let privateKey = try SecretInput.secret(prompt: "Private key: ", what: "private key")
            warnUnlessMagentoKeyLength("private key", privateKey.characterCount)
            var new = Entry(name: entry.name, kind: .keypair, host: host, username: publicKey, secret: privateKey, created: Clock.now())
            new.note = entry.note
            return new
        }
    }
}
