import CofferSodium

/// The vault's entries in order, with an index by name. A value type: a command can change a copy and
/// hand the difference to the agent (`changes(since:)`).
public struct EntryList: Sendable {
    public private(set) var entries: [Entry]
    private var index: [String: Int]

    public init() {
        entries = []
        index = [:]
    }

    /// Entries and their index by name, as the payload decoder builds them.
    init(uncheckedUnique entries: [Entry], index: [String: Int]) {
        self.entries = entries
        self.index = index
    }

    /// Entries from elsewhere (the agent protocol): validated, names unique.
    public init(decoding payload: SecureBytes) throws(VaultError) {
        self = try Payload.decodeList(payload)
    }

    /// Entries from a redacted payload (`encodeRedacted`): every secret is empty, and an entry has a refresh
    /// token exactly when it had one. For listing and showing, never for using a secret.
    public init(decodingRedacted payload: SecureBytes) throws(VaultError) {
        self = try Payload.decodeList(payload, redacted: true)
    }

    public var count: Int { entries.count }

    public func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }
    public func contains(_ name: String) -> Bool { index[name] != nil }

    public mutating func add(_ entry: Entry) throws(VaultError) {
        try entry.validate()
        guard index[entry.name] == nil else { throw .duplicateName(entry.name) }
        index[entry.name] = entries.count
        entries.append(entry)
    }

    /// Changes one entry in place; the result must still be valid and keep its name unique.
    public mutating func update(_ name: String, _ change: (inout Entry) throws(VaultError) -> Void) throws(VaultError) {
        guard let i = index[name] else { throw .entryNotFound(name) }
        var entry = entries[i]
        try change(&entry)
        try entry.validate()
        if entry.name != name {
            guard index[entry.name] == nil else { throw .duplicateName(entry.name) }
            index[name] = nil
            index[entry.name] = i
        }
        entries[i] = entry
    }

    /// Adds the entry, or replaces the one of the same name in its place.
    public mutating func upsert(_ entry: Entry) throws(VaultError) {
        try entry.validate()
        if let i = index[entry.name] { entries[i] = entry } else { try add(entry) }
    }

    public mutating func remove(_ name: String) throws(VaultError) {
        guard let i = index[name] else { throw .entryNotFound(name) }
        entries.remove(at: i)
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    /// What changed since `old`: names gone, and entries new or different in any field.
    public func changes(since old: EntryList) throws(VaultError) -> (removed: [String], upserted: [Entry]) {
        let removed = old.entries.map(\.name).filter { !contains($0) }
        var upserted: [Entry] = []
        for entry in entries {
            guard let before = old.entry(named: entry.name), before.hasSameContent(as: entry) else {
                upserted.append(entry)
                continue
            }
        }
        return (removed, upserted)
    }

    /// The payload encoding (spec §5) of some entries, in locked memory: how entries cross the agent socket.
    public static func encode(_ entries: [Entry]) throws(VaultError) -> SecureBytes {
        try Payload.encode(entries)
    }

    /// The same encoding with every secret field written with length 0 (`agent-protocol.md` §3, `list`):
    /// what `list` and `show` need, and no byte of any secret.
    public static func encodeRedacted(_ entries: [Entry]) throws(VaultError) -> SecureBytes {
        try Payload.encode(entries, redacted: true)
    }
}
