import CofferAgent
import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// How one command reaches the vault. Decided at its first request and kept for the rest of the command:
///
/// - through the running agent: one connection per request (no probe first), no passphrase, no KDF; the
///   agent answers what the request asks (entries without secrets for `list`, only the selected ones for
///   `export`) and applies a change itself, under the vault's lock;
/// - else by opening the file: read and parsed once, unlocked once (at most one KDF), however many requests
///   the command makes (`rotate` reads, prompts, then writes).
///
/// An explicit `--passphrase-*`/`--key-file` opens the file even when an agent runs. Without one, no agent
/// and no terminal, the vault is locked, at once.
final class VaultSession {
    private let options: VaultOptions
    private var file: OpenFile?
    /// A team vault the agent holds (`--team`): slot requests name it, and only the agent can answer.
    private let team: String?

    init(_ options: VaultOptions, team: String? = nil) {
        self.options = options
        self.team = team
    }

    // MARK: Entries

    /// The selected entries; through the agent with every secret empty (`EntryList(decodingRedacted:)`).
    /// For printing, never for using a secret.
    func list(_ selection: EntrySelection = .all) throws -> [Entry] {
        if let reply = try askAgent(AgentCodec.listRequest(selection)) {
            VaultSession.warnOfRefusedTeams(reply)
            return try AgentCodec.entries(reply, redacted: true)
        }
        return try selection.select(try openFile().vault.list)
    }

    /// The selected entries with their secrets; their history records only with `history`.
    func export(_ selection: EntrySelection, history: Bool = false) throws -> [Entry] {
        if let reply = try askAgent(AgentCodec.exportRequest(selection, history: history)) {
            VaultSession.warnOfRefusedTeams(reply)
            return try AgentCodec.entries(reply, redacted: false)
        }
        return try selection.export(try openFile().vault.list, history: history)
    }

    /// Applies one change to the vault as it is when the change is made, and writes it when it changed
    /// something. A failure anywhere leaves the vault as it was.
    func change(_ change: EntryChange) throws -> ChangeResult {
        let now = Clock.now()
        if let reply = try askAgent(try AgentCodec.changeRequest(change, now: now)) { return AgentCodec.changeResult(reply) }
        return try openFile().modify { vault in
            let result = try vault.list.apply(change, now: now)
            return (result.changed, result)
        }
    }

    // MARK: Slots

    /// Every slot, and the one this session was unlocked through (the agent's, through the agent).
    func slots() throws -> (slots: [SlotSummary], unlocked: UInt32?) {
        if let reply = try askAgent(AgentMessageBuilder(op: .slots)) { return try AgentCodec.slots(reply) }
        let vault = try openFile().vault
        return (vault.slotSummaries, vault.unlockedSlotID)
    }

    /// A new key-file slot; `write` puts the key file on disk. Opening the file, the key file is written
    /// first and removed again when the vault write fails: a slot nobody has the key to is useless.
    func addKeyFileSlot(label: String, writing write: (KeyFile) throws -> Void, undo: () -> Void) throws -> UInt32 {
        let now = Clock.now()
        var request = AgentMessageBuilder(op: .slotAddKeyFile)
        request.add(.label, label)
        request.add(.now, Int(now))
        if let reply = try askAgent(request) {
            guard let contents = reply.secret(.keyFile), let id = reply.int(.id).flatMap(UInt32.init(exactly:)) else {
                throw AgentError.malformed("slot-add-keyfile reply without a key file")
            }
            try write(try contents.withUnsafeBytes { (b) throws(VaultError) in try KeyFile(contents: b) })
            return id
        }
        let opened = try openFile()
        let keyFile = try KeyFile.generate()
        try write(keyFile)
        do {
            return try opened.modify { vault in (true, try vault.addKeyFileSlot(keyFile, label: label, now: now)) }
        } catch {
            undo()
            throw error
        }
    }

    /// Removes a slot and re-keys, in one write.
    func removeSlot(id: UInt32) throws {
        var request = AgentMessageBuilder(op: .slotRemove)
        request.add(.id, Int(id))
        if try askAgent(request) != nil { return }
        try openFile().modify { vault in
            try vault.removeSlot(id: id)
            return (true, ())
        }
    }

    /// A fresh vault key for every slot, in one write.
    func rekey() throws {
        if try askAgent(AgentMessageBuilder(op: .rekey)) != nil { return }
        try openFile().modify { vault in
            try vault.rekey()
            return (true, ())
        }
    }

    /// Opens the file now when no agent can answer, so its passphrase is asked before anything else the
    /// command prompts for (one order everywhere: passphrase, then the secret). Whether an agent runs is
    /// told by its socket file, a stat and not a connection: through the agent the command still makes one.
    /// (A socket a killed agent left behind makes the passphrase come after the secret, once: the next
    /// `unlock` removes it.)
    func unlockFirst() throws {
        guard file == nil else { return }
        if !options.hasExplicitUnlock && Files.exists(AgentSocket.path(forVault: options.vaultPath)) { return }
        _ = try openFile()
    }

    // MARK: The two ways in

    /// The agent's reply, or nil when this command opens the file: no agent runs, or the user named a way
    /// to unlock, or an earlier request already opened it.
    private func askAgent(_ request: AgentMessageBuilder) throws -> AgentMessage? {
        if let team {
            var request = request
            request.add(.team, team)
            return try TeamSession.ask(options, request)
        }
        guard file == nil, !options.hasExplicitUnlock else { return nil }
        return try AgentClient.requestIfRunning(socketPath: AgentSocket.path(forVault: options.vaultPath), request)
    }

    private func openFile() throws -> OpenFile {
        if let file { return file }
        let opened = try OpenFile(options)
        file = opened
        return opened
    }

    /// Before anything is asked: the file read and parsed, so a missing or damaged vault is reported without
    /// a prompt; a warning when others can read it; `locked` when nothing could be asked.
    static func checkBeforeAsking(_ store: VaultStore, _ options: VaultOptions) throws -> (file: VaultFile, identity: FileIdentity) {
        let (bytes, identity) = try store.readWithIdentity()
        let parsed = try VaultFile(parsing: bytes)
        warnIfExposed(store)
        if !options.hasExplicitUnlock && !Terminal.isAvailable { throw CLIError.locked(socket: AgentSocket.path(forVault: options.vaultPath)) }
        return (parsed, identity)
    }

    static func warnIfExposed(_ store: VaultStore) { Console.warnIfExposed(store.path) }

    /// A team vault the agent refused is left out of its answer: said on stderr, so nobody mistakes the
    /// missing entries for deleted ones (`agent-protocol.md` §3.5).
    static func warnOfRefusedTeams(_ reply: AgentMessage) {
        for (team, why) in AgentCodec.problems(reply) { Console.warning("team '\(team)' is not served: \(why)") }
    }
}

/// The vault file opened by the command itself: read, parsed and unlocked once.
private final class OpenFile {
    let store: VaultStore
    private(set) var vault: Vault
    /// Of the bytes `vault` came from.
    private var identity: FileIdentity

    init(_ options: VaultOptions) throws {
        store = options.store
        let (parsed, identity) = try VaultSession.checkBeforeAsking(store, options)
        vault = try options.open(parsed)
        self.identity = identity
    }

    /// Read-modify-write under the vault's lock. The vault read at open is changed, unless another writer
    /// replaced the file since: then the file is read again with the vault key already held (no KDF), and
    /// `body` sees that.
    func modify<R>(_ body: (inout Vault) throws -> (changed: Bool, result: R)) throws -> R {
        try store.withLock { () throws -> R in
            if store.identity != identity {
                let (bytes, now) = try store.readWithIdentity()
                vault = try vault.reopened(bytes)
                identity = now
            }
            var copy = vault
            let (changed, result) = try body(&copy)
            if changed {
                try store.write(try copy.seal())
                vault = copy
                if let now = store.identity { identity = now }
            }
            return result
        }.get()
    }
}
