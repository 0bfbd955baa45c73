import CofferAgentProtocol
import CofferCore
import CofferSodium

/// What the agent holds: the open vault, the file it came from, and a generation counter that every
/// write or reload moves on, so clients can tell whether their view is current.
final class AgentState {
    let store: VaultStore
    private(set) var vault: Vault
    private(set) var generation = 1
    private var identity: FileIdentity?
    private var indexed: (generation: Int, index: CredentialIndex)?

    /// The git lookup index, rebuilt after the entries change.
    var index: CredentialIndex {
        if let indexed, indexed.generation == generation { return indexed.index }
        let index = CredentialIndex(vault.list)
        indexed = (generation, index)
        return index
    }

    /// For a team vault: how a changed file is opened again — by the member's identity, so the member's own
    /// slot (its epoch and sealer, which the team checks rest on) is verified every time; the held vault
    /// key alone would take any slot bytes another holder of that key wrote.
    private let reopen: Unlock?

    /// `identity`: of the file `vault` was read from.
    init(store: VaultStore, vault: Vault, identity: FileIdentity, reopen: Unlock? = nil) {
        self.store = store
        self.vault = vault
        self.identity = identity
        self.reopen = reopen
        // The agent answers many requests from one open vault: every entry decoded once, at unlock.
        self.vault.decodeAllEntries()
    }

    /// Reads the file again when another writer replaced or changed it since the agent last saw it.
    func refresh(verify: ((Vault) throws(VaultError) -> Void)? = nil) throws(VaultError) {
        let now = store.identity
        guard now != identity else { return }
        guard now != nil else { throw .vaultNotFound(store.path) }
        let (bytes, read) = try store.readWithIdentity()
        var next: Vault
        if let reopen { next = try Vault.open(bytes, with: reopen) } else { next = try vault.reopened(bytes) }
        // Checked before it is held: a refused file never replaces the one held.
        try verify?(next)
        next.decodeAllEntries()
        vault = next
        identity = read
        generation += 1
    }

    /// Read-modify-write under the vault's lock, against the current file.
    func write(_ change: (inout Vault) throws -> Void) throws {
        try writeIfChanged { vault in
            try change(&vault)
            return true
        }
    }

    /// Like `write`, but `change` says whether it changed anything; when it did not, the file is not
    /// rewritten (git's `store` of a credential the vault already has).
    /// `verify` sees the file as read under the lock, before the change: a team vault's checks (`TeamPin`).
    func writeIfChanged(verify: ((Vault) throws(VaultError) -> Void)? = nil, _ change: (inout Vault) throws -> Bool) throws {
        // Never waits: a busy lock is `lockBusy`, and the event loop tries the request again later while it
        // serves everyone else from memory (git must not wait on a writer).
        try store.withLock(waitSeconds: 0) { () throws -> Void in
            // A changed file is checked before it is held; an unchanged one was checked when it was.
            try refresh(verify: verify)
            var copy = vault
            guard try change(&copy) else { return }
            try store.write(try copy.seal())
            vault = copy
            identity = store.identity
            generation += 1
        }.get()
    }
}

