import ArgumentParser
import CofferCore

struct Upgrade: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Write the vault in the current format (4), converting the format-1 slot this command is unlocked with.",
        discussion: "A format-1 slot can only be given a key pair by someone holding its passphrase or key file: run this once with each (--key-file PATH for a key file), then 'coffer rekey' or 'coffer slot remove' can re-key. The vault key does not change.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let store = options.store
        // Unlocked (its KDF run, a mistyped passphrase asked again) before the lock, so no writer waits.
        let (file, identity) = try VaultSession.checkBeforeAsking(store, options)
        var vault = try options.open(file)
        let message = try store.withLock { () throws -> String in
            if store.identity != identity { vault = try vault.reopened(try store.read()) }
            let id = vault.unlockedSlotID
            let wasLegacy = vault.slotSummaries.first { $0.id == id }?.legacy == true
            guard vault.readVersion != VaultFormat.version || wasLegacy else {
                return "the vault and slot \(id.map(String.init) ?? "-") are already in format \(VaultFormat.version)"
            }
            try store.write(try vault.seal())
            // Said from the slots as written: a slot whose secret could not be converted stays format 1.
            let still = vault.slotSummaries.filter(\.legacy).map { String($0.id) }
            let converted = wasLegacy && !still.contains(id.map(String.init) ?? "")
            return "wrote the vault in format \(VaultFormat.version)" + (converted ? "; slot \(id!) converted" : "")
                + (still.isEmpty ? "" : "; still in format 1: slot \(still.joined(separator: ", "))")
        }.get()
        Console.out(message)
    }
}
