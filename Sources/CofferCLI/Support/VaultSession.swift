import CofferAgentProtocol
import CofferCore
import CofferSodium
import Glibc

/// How a command reaches the vault: through the running agent (no passphrase, no KDF), or by opening the
/// file itself with a passphrase or key file. Commands see only an `EntryList`, whichever it is.
enum VaultSession {
    enum Access {
        case agent(socket: String)
        case file(Unlock)
    }

    /// Decided once per command: an explicit `--passphrase-*`/`--key-file` opens the file; otherwise a running
    /// agent answers; otherwise the terminal is asked; with no terminal the vault is locked, at once.
    static func access(_ options: VaultOptions) throws -> Access {
        if !options.hasExplicitUnlock {
            let socket = AgentSocket.path(forVault: options.vaultPath)
            if try agentAnswers(socket) { return .agent(socket: socket) }
        }
        // Check the file before asking for anything: a missing or damaged vault is reported without a prompt.
        let store = options.store
        _ = try VaultFile(parsing: try store.read())
        warnIfExposed(store)
        if !options.hasExplicitUnlock && !Terminal.isAvailable { throw CLIError.locked }
        return .file(try options.unlock())
    }

    static func agentAnswers(_ socket: String) throws -> Bool {
        do {
            _ = try AgentClient(socketPath: socket)
            return true
        } catch .notRunning {
            return false
        }
    }

    /// The entries, to read.
    static func read<R>(_ options: VaultOptions, access given: Access? = nil, _ body: (EntryList) throws -> R) throws -> R {
        switch try given ?? access(options) {
        case .agent(let socket):
            return try body(try fetch(socket).list)
        case .file(let unlock):
            return try body(try Vault.open(try options.store.read(), with: unlock).list)
        }
    }

    /// Lets `body` change the entries, and writes them back when it returns true; a failure anywhere leaves
    /// the vault as it was. Through the agent, a change that races another writer is retried on fresh entries.
    static func modify<R>(_ options: VaultOptions, access given: Access? = nil,
                          _ body: (inout EntryList) throws -> (changed: Bool, result: R)) throws -> R {
        switch try given ?? access(options) {
        case .agent(let socket):
            var attempt = 0
            while true {
                let (list, generation) = try fetch(socket)
                var changed = list
                let (didChange, result) = try body(&changed)
                guard didChange else { return result }
                let (removed, upserted) = try changed.changes(since: list)
                var request = AgentMessageBuilder(op: "apply")
                request.add("generation", generation)
                for name in removed { request.add("remove", name) }
                if !upserted.isEmpty { request.add("payload", secret: try EntryList.encode(upserted)) }
                if try send(request, to: socket, retryable: attempt < 5) { return result }
                attempt += 1
            }
        case .file(let unlock):
            return try modifyVault(options, unlock: unlock) { vault in try body(&vault.list) }
        }
    }

    /// The whole vault (slots too), opened from the file under its lock.
    static func modifyVault<R>(_ options: VaultOptions, unlock: Unlock, _ body: (inout Vault) throws -> (changed: Bool, result: R)) throws -> R {
        let store = options.store
        return try store.withLock { () throws -> R in
            var vault = try Vault.open(try store.read(), with: unlock)
            let (changed, result) = try body(&vault)
            if changed { try store.write(try vault.seal()) }
            return result
        }.get()
    }

    /// Sends an `apply`; false when it lost a race with another writer and may be tried again.
    private static func send(_ request: AgentMessageBuilder, to socket: String, retryable: Bool) throws -> Bool {
        do {
            _ = try AgentClient(socketPath: socket).request(request)
            return true
        } catch {
            if case .remote(_, _, let kind) = error, kind == "conflict", retryable { return false }
            throw error
        }
    }

    static func fetch(_ socket: String) throws -> (list: EntryList, generation: Int) {
        let reply = try AgentClient(socketPath: socket).request(AgentMessageBuilder(op: "entries"))
        guard let payload = try reply.secret("payload"), let generation = reply.int("generation") else {
            throw AgentError.malformed("entries reply without payload")
        }
        return (try EntryList(decoding: payload), generation)
    }

    static func warnIfExposed(_ store: VaultStore) {
        if let mode = store.mode, mode & 0o077 != 0 {
            Console.warning("\(store.path) can be read by other users (mode \(String(mode, radix: 8))); run chmod 600 \(store.path)")
        }
    }
}
