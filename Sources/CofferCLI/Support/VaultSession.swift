import CofferCore

/// Opening the vault for a command: read-only, or read-modify-write under the vault's lock.
enum VaultSession {
    /// Opens the vault and hands it to `body` to read.
    static func read<R>(_ options: VaultOptions, unlock: Unlock? = nil, _ body: (Vault) throws -> R) throws -> R {
        let store = options.store
        let bytes = try store.read()
        warnIfExposed(store)
        // Parse before asking for the passphrase: a damaged file is reported without a prompt.
        let file = try VaultFile(parsing: bytes)
        return try body(try Vault.open(file, with: try unlock ?? options.unlock()))
    }

    /// Opens the vault under its lock, lets `body` change it, and writes it back when `body` returns true.
    /// A failure anywhere leaves the file as it was.
    /// A command that opens the vault twice passes the `unlock` it read once: a passphrase on a pipe can be read only once.
    static func modify<R>(_ options: VaultOptions, unlock given: Unlock? = nil, _ body: (inout Vault) throws -> (changed: Bool, result: R)) throws -> R {
        let store = options.store
        let unlock: Unlock
        do {
            // Check the file and read the passphrase before taking the lock, so a slow typist does not block others.
            _ = try VaultFile(parsing: try store.read())
            warnIfExposed(store)
            unlock = try given ?? options.unlock()
        }
        return try store.withLock { () throws -> R in
            var vault = try Vault.open(try store.read(), with: unlock)
            let (changed, result) = try body(&vault)
            if changed { try store.write(try vault.seal()) }
            return result
        }.get()
    }

    static func warnIfExposed(_ store: VaultStore) {
        if let mode = store.mode, mode & 0o077 != 0 {
            Console.warning("\(store.path) can be read by other users (mode \(String(mode, radix: 8))); run chmod 600 \(store.path)")
        }
    }
}
