import CofferSodium

/// Which entries a command needs: by name (each must exist), by host (case-insensitive), by kind, and
/// whether only enabled ones. Empty lists select everything. The agent and a command that opened the
/// file itself select with this same code.
public struct EntrySelection: Sendable, Equatable {
    public var names: [String]
    public var hosts: [String]
    public var kinds: [EntryKind]
    public var enabledOnly: Bool

    public init(names: [String] = [], hosts: [String] = [], kinds: [EntryKind] = [], enabledOnly: Bool = false) {
        self.names = names
        self.hosts = hosts
        self.kinds = kinds
        self.enabledOnly = enabledOnly
    }

    public static let all = EntrySelection()

    /// The selected entries, in vault order; a name that no entry has is `entryNotFound`.
    public func select(_ list: EntryList) throws(VaultError) -> [Entry] {
        for name in names where !list.contains(name) { throw .entryNotFound(name) }
        // Named entries are found through the index: only they are decoded.
        let candidates = names.isEmpty ? list.entries : list.entries(named: names)
        let lowered = hosts.map { $0.lowercased() }
        return candidates.filter { e in matches(e) && (lowered.isEmpty || lowered.contains(e.host.lowercased())) }
    }

    /// The selected entries as `export` hands them out: their history records (old secrets) only with
    /// `history`. The agent and a command that opened the file both export through this.
    public func export(_ list: EntryList, history: Bool) throws(VaultError) -> [Entry] {
        var entries = try select(list)
        if !history { for i in entries.indices { entries[i].history = [] } }
        return entries
    }

    private func matches(_ e: Entry) -> Bool {
        (kinds.isEmpty || kinds.contains(e.kind)) && (!enabledOnly || e.enabled)
    }
}

/// One change a command makes to the entries. The agent applies it under the vault's lock to the vault as
/// it is then, so two writers never undo each other; a command that opened the file applies the same.
public enum EntryChange: Sendable {
    /// New entries; a name that exists is `duplicateName`, or with `skipExisting` is skipped and reported.
    case add([Entry], skipExisting: Bool)
    case remove(String)
    /// Enabled or disabled by the user; clears a rejection by git. No change when already so. With
    /// `acceptExposure` (enabling only), the entry's exposure marks are cleared too: the team keeps the
    /// secret although removed members knew it (v2 §11.3).
    case setEnabled(String, Bool, acceptExposure: Bool = false)
    /// A new secret (and, for a key pair, maybe a new public key); the old one becomes a history record
    /// unless the history is purged.
    case rotate(String, secret: Secret, username: String?, purgeHistory: Bool)
    /// A new name; everything else, the history too, stays. No change when the name is the same.
    case rename(String, to: String)
    /// New values for fields other than the secret (which is `rotate`'s); the history stays.
    case edit(String, EntryEdit)
}

/// What `edit` changes: each field left alone (nil), set, or (optional fields only) removed.
public struct EntryEdit: Sendable, Equatable {
    public enum Value<T: Sendable & Equatable>: Sendable, Equatable {
        case set(T)
        case remove
    }

    public var note: Value<String>?
    public var host: String?
    public var username: String?
    public var `protocol`: String?
    public var path: Value<String>?
    public var passwordExpiryUTC: Value<Int64>?

    public init() {}

    public var isEmpty: Bool { self == EntryEdit() }

    /// The fields the edit changes, by their `--json` names (`note`, `host`, …), for messages and the wire.
    public static let fieldNames = ["note", "host", "username", "protocol", "path", "password_expiry_utc"]

    func apply(to e: inout Entry) {
        switch note {
        case .set(let v)?: e.note = v
        case .remove?: e.note = nil
        case nil: break
        }
        if let host { e.host = host }
        if let username { e.username = username }
        if let proto = `protocol` { e.protocol = proto }
        switch path {
        case .set(let v)?: e.path = v
        case .remove?: e.path = nil
        case nil: break
        }
        switch passwordExpiryUTC {
        case .set(let v)?: e.passwordExpiryUTC = v
        case .remove?: e.passwordExpiryUTC = nil
        case nil: break
        }
    }
}

/// What a change did.
public struct ChangeResult: Sendable, Equatable {
    /// False when the vault already was as asked: nothing was written.
    public var changed: Bool
    /// With `add`: the names added, and those skipped because they existed.
    public var added: [String]
    public var skipped: [String]

    public init(changed: Bool, added: [String] = [], skipped: [String] = []) {
        self.changed = changed
        self.added = added
        self.skipped = skipped
    }
}

extension EntryList {
    /// Applies `change` at time `now` (Unix seconds); a failure leaves the list as it was.
    public mutating func apply(_ change: EntryChange, now: Int64) throws(VaultError) -> ChangeResult {
        var copy = self
        let result = try copy.applyInPlace(change, now: now)
        self = copy
        return result
    }

    private mutating func applyInPlace(_ change: EntryChange, now: Int64) throws(VaultError) -> ChangeResult {
        switch change {
        case .add(let entries, let skipExisting):
            var result = ChangeResult(changed: false)
            for entry in entries {
                if skipExisting && contains(entry.name) {
                    result.skipped.append(entry.name)
                    continue
                }
                try add(entry)
                result.added.append(entry.name)
            }
            result.changed = !result.added.isEmpty
            return result
        case .remove(let name):
            try remove(name)
            return ChangeResult(changed: true)
        case .setEnabled(let name, let enabled, let accept):
            guard let entry = entry(named: name) else { throw .entryNotFound(name) }
            let clears = accept && !entry.exposures.isEmpty
            if entry.enabled == enabled && entry.rejectedAt == nil && !clears { return ChangeResult(changed: false) }
            try update(name) { e in
                e.setEnabled(enabled, at: now)
                if accept { e.exposures = [] }
            }
            return ChangeResult(changed: true)
        case .rotate(let name, let secret, let username, let purgeHistory):
            try update(name) { (e) throws(VaultError) in
                if username != nil && e.kind != .keypair {
                    throw .invalidEntry("\(name): only a key pair gets a new public key when rotated")
                }
                let record = HistoryRecord(created: e.updated, retired: now, username: username == nil ? nil : e.username, secret: e.secret)
                e.history = purgeHistory ? [] : e.history + [record]
                e.secret = secret
                if let username { e.username = username }
                // The new secret was never readable by a removed member (v2 §11.3).
                e.exposures = []
                e.updated = now
            }
            return ChangeResult(changed: true)
        case .rename(let name, let newName):
            guard contains(name) else { throw .entryNotFound(name) }
            if name == newName { return ChangeResult(changed: false) }
            try update(name) { e in
                e.name = newName
                e.updated = now
            }
            return ChangeResult(changed: true)
        case .edit(let name, let edit):
            guard let entry = entry(named: name) else { throw .entryNotFound(name) }
            var edited = entry
            edit.apply(to: &edited)
            if edited.hasSameContent(as: entry) { return ChangeResult(changed: false) }
            try update(name) { e in
                edit.apply(to: &e)
                e.updated = now
            }
            return ChangeResult(changed: true)
        }
    }
}
