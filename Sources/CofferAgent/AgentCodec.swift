import CofferAgentProtocol
import CofferCore
import CofferSodium

extension VaultError {
    /// The failure kind this error travels as, between processes and to the exit code.
    public var failureKind: FailureKind {
        switch self {
        case .wrongPassphrase, .wrongKeyFile, .noSlot, .invalidKeyFile, .invalidPassphrase, .notAMember: .badKey
        case .notAVault, .truncated, .badSlotCount, .badSlot, .noKnownSlot, .malformedHeader, .headerTampered, .payloadTampered, .malformedPayload: .damaged
        case .unsupportedVersion, .unsupportedKDFAlgorithm, .kdfParametersOutOfRange, .kdfBudgetExceeded, .fileTooLarge: .unsupported
        case .entryNotFound, .vaultNotFound, .slotNotFound, .memberNotFound, .noIdentity: .notFound
        case .duplicateName, .vaultExists: .exists
        case .invalidName, .invalidEntry, .lastSlot, .slotTableFull, .invalidSlot, .cannotRekey, .mergeConflict: .invalid
        case .rekeyedWithoutSlot: .locked
        case .teamRefused: .damaged
        case .system, .crypto, .lockBusy, .lockUntrusted: .failure
        }
    }
}

/// A request the agent cannot serve as sent.
struct AgentRequestError: Error {
    let message: String
    let kind: FailureKind

    static func `protocol`(_ message: String) -> AgentRequestError { AgentRequestError(message: message, kind: .protocol) }
}

/// CofferCore's types on the agent's wire (`Formats/agent-protocol.md` §3): how the CLI writes the `list`,
/// `export` and `change` requests and reads their replies, and how the agent reads those requests. One
/// place for both sides, so they cannot disagree.
public enum AgentCodec {
    // MARK: Slots

    /// `slots`: one `slot` field per slot, `ID TYPE FORMAT CREATED LABEL` (CREATED 0 when unknown; the
    /// label is the rest of the value and may be empty), and `unlocked-slot` when the agent was unlocked
    /// through a slot.
    public static func slotsReply(_ vault: Vault) -> AgentMessageBuilder {
        var reply = AgentMessageBuilder.ok
        for s in vault.slotSummaries {
            reply.add(.slot, "\(s.id) \(s.type) \(s.legacy ? 1 : 2) \(s.created ?? 0) \(s.label)")
        }
        if let id = vault.unlockedSlotID { reply.add(.unlockedSlot, Int(id)) }
        return reply
    }

    public static func slots(_ reply: AgentMessage) throws -> (slots: [SlotSummary], unlocked: UInt32?) {
        let slots = try reply.strings(.slot).map { line throws -> SlotSummary in
            let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4, let id = UInt32(parts[0]), let format = Int(parts[2]), let created = Int64(parts[3]) else {
                throw AgentError.malformed("a slot line the client cannot read")
            }
            return SlotSummary(id: id, type: parts[1], label: parts.count == 5 ? parts[4] : "", created: created == 0 ? nil : created, legacy: format == 1)
        }
        return (slots, reply.int(.unlockedSlot).flatMap(UInt32.init(exactly:)))
    }

    // MARK: Teams

    /// A `teams` reply's `team` line: `NAME GENERATION ENTRIES PATH` (the path is the rest of the line).
    public struct TeamLine: Sendable, Equatable {
        public let name: String
        public let generation: String
        public let entries: Int
        public let path: String
    }

    static func teamLine(name: String, generation: UInt64, entries: Int, path: String) -> String { "\(name) \(generation) \(entries) \(path)" }

    public static func teams(_ reply: AgentMessage) -> [TeamLine] {
        reply.strings(.team).compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count == 4, let entries = Int(parts[2]) else { return nil }
            return TeamLine(name: parts[0], generation: parts[1], entries: entries, path: parts[3])
        }
    }

    /// A `problem` field: `NAME WHY`, a team refused (in `teams`, `list` and `export` replies).
    static func problemLine(team: String, why: String) -> String { "\(team) \(why)" }

    public static func problems(_ reply: AgentMessage) -> [(team: String, why: String)] {
        reply.strings(.problem).map { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
    }

    // MARK: Members

    /// `ID<TAB>ADDED<TAB>PUBLIC-KEY-LINE<TAB>ADDED-BY<TAB>NAME`: names cannot hold a tab (label rule).
    public static func memberLine(_ m: MemberSummary) -> String {
        [String(m.slotID), String(m.added), Identity.line(m.publicKey), m.addedBy, m.name].joined(separator: "\t")
    }

    public static func member(_ line: String) throws -> MemberSummary {
        let parts = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, let id = UInt32(parts[0]), let added = Int64(parts[1]), let key = Identity.publicKey(parsing: parts[2]) else {
            throw AgentError.malformed("a member line the client cannot read")
        }
        return MemberSummary(slotID: id, name: parts[4], publicKey: key, added: added, addedBy: parts[3])
    }

    // MARK: Selections (list, export)

    /// `list`: the selected entries, every secret left out.
    public static func listRequest(_ selection: EntrySelection) -> AgentMessageBuilder {
        var request = AgentMessageBuilder(op: .list)
        add(selection, to: &request)
        return request
    }

    /// `export`: the selected entries with their secrets; their history (and its secrets) only with `history`.
    public static func exportRequest(_ selection: EntrySelection, history: Bool) -> AgentMessageBuilder {
        var request = AgentMessageBuilder(op: .export)
        add(selection, to: &request)
        if history { request.add(.history, true) }
        return request
    }

    static func add(_ selection: EntrySelection, to request: inout AgentMessageBuilder) {
        for name in selection.names { request.add(.name, name) }
        for host in selection.hosts { request.add(.host, host) }
        for kind in selection.kinds { request.add(.entryKind, kind.word) }
        if selection.enabledOnly { request.add(.enabledOnly, true) }
    }

    static func selection(_ request: AgentMessage) throws(AgentRequestError) -> EntrySelection {
        var kinds: [EntryKind] = []
        for word in request.strings(.entryKind) {
            guard let kind = EntryKind(word: word) else { throw .protocol("unknown entry kind '\(word)'") }
            kinds.append(kind)
        }
        return EntrySelection(names: request.strings(.name), hosts: request.strings(.host), kinds: kinds,
                              enabledOnly: request.flag(.enabledOnly))
    }

    /// The entries of a `list` or `export` reply; `redacted` for `list`, whose payload must hold no secret.
    public static func entries(_ reply: AgentMessage, redacted: Bool) throws -> [Entry] {
        guard let payload = reply.secret(.payload) else { throw AgentError.malformed("reply without a payload") }
        let buffer = try payload.copied()
        return try (redacted ? EntryList(decodingRedacted: buffer) : EntryList(decoding: buffer)).entries
    }

    // MARK: Changes

    /// The `change` field's word for each change.
    static func word(_ change: EntryChange) -> String {
        switch change {
        case .add: "add"
        case .remove: "remove"
        case .setEnabled(_, let enabled, _): enabled ? "enable" : "disable"
        case .rotate: "rotate"
        case .rename: "rename"
        case .edit: "edit"
        }
    }

    /// `change`: one change, and the client's clock for its timestamps (a command through the agent stamps
    /// entries as one that opened the file would).
    public static func changeRequest(_ change: EntryChange, now: Int64) throws(VaultError) -> AgentMessageBuilder {
        var request = AgentMessageBuilder(op: .change)
        request.add(.change, word(change))
        request.add(.now, String(now))
        switch change {
        case .add(let entries, let skipExisting):
            request.add(.payload, secret: try EntryList.encode(entries))
            if skipExisting { request.add(.skipExisting, true) }
        case .remove(let name):
            request.add(.name, name)
        case .setEnabled(let name, _, let accept):
            request.add(.name, name)
            if accept { request.add(.acceptExposure, true) }
        case .rotate(let name, let secret, let username, let purgeHistory):
            request.add(.name, name)
            request.add(.secret, secret: secret)
            if let username { request.add(.username, username) }
            if purgeHistory { request.add(.purgeHistory, true) }
        case .rename(let name, let newName):
            request.add(.name, name)
            request.add(.newName, newName)
        case .edit(let name, let edit):
            request.add(.name, name)
            func put<T>(_ value: EntryEdit.Value<T>?, _ field: AgentField, _ text: (T) -> String) {
                switch value {
                case .set(let v)?: request.add(field, text(v))
                case .remove?: request.add(.unset, field.rawValue)
                case nil: break
                }
            }
            put(edit.note, .note) { $0 }
            put(edit.host.map { .set($0) }, .host) { $0 }
            put(edit.username.map { .set($0) }, .username) { $0 }
            put(edit.protocol.map { .set($0) }, .protocol) { $0 }
            put(edit.path, .path) { $0 }
            put(edit.passwordExpiryUTC, .passwordExpiryUTC) { String($0) }
        }
        return request
    }

    static func change(_ request: AgentMessage) throws -> (change: EntryChange, now: Int64) {
        guard let now = request.string(.now).flatMap({ Int64($0) }) else { throw AgentRequestError.protocol("change needs now") }
        let word = request.string(.change) ?? ""
        func name() throws -> String {
            guard let name = request.string(.name) else { throw AgentRequestError.protocol("\(word) needs a name") }
            return name
        }
        switch word {
        case "add":
            guard let payload = request.secret(.payload) else { throw AgentRequestError.protocol("add needs a payload") }
            // A client's entry id is not taken: the vault gives each new entry its own (ids are unique).
            let entries = try EntryList(decoding: try payload.copied()).entries.map { e in var e = e; e.id = nil; return e }
            return (.add(entries, skipExisting: request.flag(.skipExisting)), now)
        case "remove": return (.remove(try name()), now)
        case "enable", "disable":
            return (.setEnabled(try name(), word == "enable", acceptExposure: word == "enable" && request.flag(.acceptExposure)), now)
        case "rotate":
            guard let secret = request.secret(.secret) else { throw AgentRequestError.protocol("rotate needs a secret") }
            return (.rotate(try name(), secret: Secret(try secret.copied()), username: request.string(.username),
                            purgeHistory: request.flag(.purgeHistory)), now)
        case "rename":
            guard let newName = request.string(.newName) else { throw AgentRequestError.protocol("rename needs new-name") }
            return (.rename(try name(), to: newName), now)
        case "edit":
            var edit = EntryEdit()
            let unset = Set(request.strings(.unset))
            func value(_ field: AgentField) -> EntryEdit.Value<String>? {
                if let v = request.string(field) { return .set(v) }
                return unset.contains(field.rawValue) ? .remove : nil
            }
            edit.note = value(.note)
            edit.path = value(.path)
            edit.host = request.string(.host)
            edit.username = request.string(.username)
            edit.protocol = request.string(.protocol)
            if let text = request.string(.passwordExpiryUTC) {
                guard let seconds = Int64(text) else { throw AgentRequestError.protocol("password-expiry-utc is not a number") }
                edit.passwordExpiryUTC = .set(seconds)
            } else if unset.contains(AgentField.passwordExpiryUTC.rawValue) {
                edit.passwordExpiryUTC = .remove
            }
            return (.edit(try name(), edit), now)
        default: throw AgentRequestError.protocol("unknown change '\(word)'")
        }
    }

    static func reply(_ result: ChangeResult) -> AgentMessageBuilder {
        var reply = AgentMessageBuilder.ok
        reply.add(.changed, result.changed)
        for name in result.added { reply.add(.added, name) }
        for name in result.skipped { reply.add(.skipped, name) }
        return reply
    }

    public static func changeResult(_ reply: AgentMessage) -> ChangeResult {
        ChangeResult(changed: reply.flag(.changed), added: reply.strings(.added), skipped: reply.strings(.skipped))
    }
}
