import ArgumentParser
import CofferCore

struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Change a passphrase and/or its KDF level, and re-key the vault: the old passphrase opens nothing written afterwards.",
        discussion: "The passphrase slot replaced is the one named with --slot, else the one the current passphrase opens, else (unlocked with a key file) the only passphrase slot. An agent unlocked with the old passphrase stops at its next request.")

    @OptionGroup var options: VaultOptions

    @Option(name: .customLong("new-passphrase-fd"), help: ArgumentHelp("Read the new passphrase from this file descriptor.", valueName: "n"))
    var newPassphraseFD: Int32?

    @Option(name: .customLong("new-passphrase-file"), help: ArgumentHelp("Read the new passphrase from the first line of this file.", valueName: "path"))
    var newPassphraseFile: String?

    @Option(help: "The new Argon2id cost (default: keep the current one).")
    var kdf: KDFParameters.Level?

    @Option(help: ArgumentHelp("The passphrase slot to replace (default: the one the current passphrase opens; unlocked with a key file, the only one).", valueName: "id"))
    var slot: UInt32?

    func validate() throws {
        if newPassphraseFD != nil && newPassphraseFile != nil {
            throw ValidationError("use only one of --new-passphrase-fd and --new-passphrase-file")
        }
    }

    func run() throws {
        let store = options.store
        let (file, identity) = try VaultSession.checkBeforeAsking(store, options)
        var vault = try options.open(file)
        let id = try target(vault)
        // Refused before the new passphrase is asked for and derived.
        try vault.checkRekey(except: id)
        let newPassphrase = try SecretInput.passphrase(
            fd: newPassphraseFD, file: newPassphraseFile, prompt: "New passphrase: ", confirm: true)
        let current = vault.slots.first { $0.id == id }?.kdf ?? KDFParameters(level: .moderate)
        let parameters = kdf.map { KDFParameters(level: $0) } ?? current
        // The slow derivation before the lock: other writers, and the agent's, do not wait for it.
        Console.progress("deriving the key from the new passphrase (Argon2id, \(parameters.memLimit >> 20) MiB)…")
        let prepared = try Vault.preparePassphrase(newPassphrase, kdf: parameters)
        try store.withLock { () throws -> Void in
            // Another writer may have replaced the file while the new passphrase was typed.
            if store.identity != identity { vault = try vault.reopened(try store.read()) }
            try vault.setPassphrase(prepared, slot: id)
            try store.write(try vault.seal())
        }.get()
        let level = parameters.level?.rawValue ?? "custom"
        Console.out("passphrase of slot \(id) changed (kdf \(level): opslimit \(parameters.opsLimit), memlimit \(parameters.memLimit >> 20) MiB); the vault was re-keyed")
    }

    /// The passphrase slot to replace.
    private func target(_ vault: Vault) throws -> UInt32 {
        let passphraseSlots = vault.slots.filter(\.isPassphrase).map(\.id)
        if let slot {
            guard vault.slots.contains(where: { $0.id == slot }) else { throw VaultError.slotNotFound(slot) }
            guard passphraseSlots.contains(slot) else { throw CLIError.usage("slot \(slot) is not a passphrase slot") }
            return slot
        }
        if let opened = vault.unlockedSlotID, passphraseSlots.contains(opened) { return opened }
        switch passphraseSlots.count {
        case 1: return passphraseSlots[0]
        case 0: throw CLIError.usage("the vault has no passphrase slot")
        default: throw CLIError.usage("the vault has several passphrase slots", hint: "name one with --slot ID ('coffer slot list' shows them)")
        }
    }
}
