import ArgumentParser
import CofferCore

struct Upgrade: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Write the vault in format 2, converting the format-1 slot this command is unlocked with.",
        discussion: "A format-1 slot can only be given a key pair by someone holding its passphrase or key file: run this once with each (--key-file PATH for a key file), then 'coffer rekey' or 'coffer slot remove' can re-key. The vault key does not change.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        let unlock = try options.unlock()
        let store = options.store
        let message = try store.withLock { () throws -> String in
            var vault = try Vault.open(try VaultSession.checkBeforeAsking(store, options).file, with: unlock)
            let id = vault.unlockedSlotID
            let wasLegacy = vault.slotSummaries.first { $0.id == id }?.legacy == true
            guard vault.readVersion == VaultFormat.versionV1 || wasLegacy else {
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
