import CofferAgentProtocol
import CofferCore
import CofferSodium
import Glibc

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

    init(store: VaultStore, vault: Vault) {
        self.store = store
        self.vault = vault
        identity = FileIdentity(path: store.path)
    }

    /// Reads the file again when another writer replaced or changed it since the agent last saw it.
    func refresh() throws(VaultError) {
        let now = FileIdentity(path: store.path)
        guard now != identity else { return }
        guard now != nil else { throw .vaultNotFound(store.path) }
        let bytes = try store.read()
        vault = try vault.reopened(bytes)
        identity = FileIdentity(path: store.path)
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
    func writeIfChanged(_ change: (inout Vault) throws -> Bool) throws {
        try store.withLock { () throws -> Void in
            try refresh()
            var copy = vault
            guard try change(&copy) else { return }
            try store.write(try copy.seal())
            vault = copy
            identity = FileIdentity(path: store.path)
            generation += 1
        }.get()
    }
}

/// Enough of `stat` to notice that a file was replaced or rewritten.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
