import CofferSodium

/// The vault's entries in order, with an index by name. A value type: a command changes a copy.
///
/// Entries read from a payload stay encoded in its locked plaintext until one is asked for: opening a vault
/// checks every rule and indexes the names in one pass over the bytes (`Payload.index`), and builds an
/// `Entry` only for the entries a command uses. Entries added or changed in memory are kept decoded.
public struct EntryList: Sendable {
    /// The checked payload that encoded entries are read from; nil when there are none.
    private var source: Source?
    /// In vault order: `i >= 0` is the entry at `source.ranges[i]`, as read; `i < 0` is `decoded[-1 - i]`.
    private var items: [Int]
    private var decoded: [Entry]
    /// Name → position in `items`, once the list has changed; until then `source`'s name table answers.
    private var index: [String: Int]?
    /// The owner's identity (version 4, v2 §11.4): kept in the payload, after the entries.
    public var identity: Identity?
    /// The team vaults the owner was given, and what was seen of each (v2 §11.6).
    public var teams: [TeamPin] = []

    public init() {
        source = nil
        items = []
        decoded = []
        index = [:]
    }

    /// Entries from a payload (a vault's, or one from the agent protocol): every rule checked, names unique.
    public init(decoding payload: SecureBytes) throws(VaultError) {
        try self.init(payload: payload, redacted: false, version: VaultFormat.version)
    }

    /// Entries from a vault file's payload, by the rules of that file's version (v2 §7.4, §11.4).
    init(decoding payload: SecureBytes, version: UInt16) throws(VaultError) {
        try self.init(payload: payload, redacted: false, version: version, file: true)
    }

    /// Entries from a redacted payload (`encodeRedacted`): every secret is empty, and an entry has a refresh
    /// token exactly when it had one. For listing and showing, never for using a secret; such a list cannot
    /// be sealed into a vault.
    public init(decodingRedacted payload: SecureBytes) throws(VaultError) {
        try self.init(payload: payload, redacted: true, version: VaultFormat.version)
    }

    private init(payload: SecureBytes, redacted: Bool, version: UInt16, file: Bool = false) throws(VaultError) {
        let found = try Payload.index(payload, redacted: redacted, version: version, file: file)
        source = Source(plaintext: payload, ranges: found.ranges, names: found.names, redacted: redacted)
        items = Array(0..<found.ranges.count)
        decoded = []
        index = nil
        teams = found.teams
        if let range = found.identity {
            let created = payload.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: range.lowerBound, as: Int64.self)) }
            let key: SecureBytes
            do {
                key = try payload.withUnsafeBytes { (p) throws(SodiumError) in try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: p[(range.lowerBound + 8)..<range.upperBound])) }
            } catch { throw .crypto(error) }
            identity = try Identity(secretKey: key, created: created)
        }
        // Entries of an older file get their ids now, so every list in memory has them; the first write
        // keeps them (v2 §11: upgrading to version 4).
        if version < 4 && file {
            decodeAll()
            for i in decoded.indices { decoded[i].id = try EntryID.random() }
        }
    }

    public var count: Int { items.count }

    /// Every entry, in vault order (each encoded one decoded now).
    public var entries: [Entry] {
        var fields = Payload.Fields(), history = Payload.Fields()
        var all: [Entry] = []
        all.reserveCapacity(items.count)
        for item in items { all.append(item < 0 ? decoded[-1 - item] : source!.entry(item, fields: &fields, history: &history)) }
        return all
    }

    /// The named entries that exist, in vault order.
    public func entries(named names: [String]) -> [Entry] {
        names.compactMap(position).sorted().map { entry(item: items[$0]) }
    }

    public func entry(named name: String) -> Entry? { position(of: name).map { entry(item: items[$0]) } }
    public func contains(_ name: String) -> Bool { position(of: name) != nil }

    /// Where the named entry is in `items`.
    private func position(of name: String) -> Int? {
        if let index { return index[name] }
        // Unchanged since it was read: items are the payload's entries in order, and its table finds them.
        return source?.find(name)
    }

    /// The index by name as a dictionary, built on the first change (names decoded from the payload once).
    private mutating func changing() -> [String: Int] {
        if let index { return index }
        var built: [String: Int] = [:]
        built.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            built[item < 0 ? decoded[-1 - item].name : source!.name(item)] = position
        }
        index = built
        return built
    }

    private func entry(item: Int) -> Entry {
        item < 0 ? decoded[-1 - item] : source!.entry(item)
    }

    /// Decodes every entry now, so later reads cost nothing: for the agent, which serves many requests
    /// from one open vault.
    public mutating func decodeAll() {
        guard source != nil else { return }
        let all = entries
        _ = changing()
        decoded = all
        items = all.indices.map { -1 - $0 }
        source = nil
    }

    /// True for a list made from a redacted payload, whose secrets are empty.
    public var isRedacted: Bool { source?.redacted ?? false }

    public mutating func add(_ entry: Entry) throws(VaultError) {
        var entry = entry
        if entry.id == nil { entry.id = try EntryID.random() }
        try entry.validate()
        guard changing()[entry.name] == nil else { throw .duplicateName(entry.name) }
        // In place: a local copy of the index, changed and stored back, copied the whole dictionary on
        // every add (an import of 20,000 entries was quadratic).
        index?[entry.name] = items.count
        items.append(store(entry, replacing: nil))
    }

    /// Changes one entry in place; the result must still be valid and keep its name unique.
    public mutating func update(_ name: String, _ change: (inout Entry) throws(VaultError) -> Void) throws(VaultError) {
        guard let i = changing()[name] else { throw .entryNotFound(name) }
        let old = self.entry(item: items[i])
        var entry = old
        try change(&entry)
        // An entry's id never changes, even when a change replaces the whole entry with one made elsewhere.
        entry.id = old.id
        try entry.validate(changedFrom: old)
        if entry.name != name {
            guard index?[entry.name] == nil else { throw .duplicateName(entry.name) }
            index?[name] = nil
            index?[entry.name] = i
        }
        items[i] = store(entry, replacing: items[i])
    }

    public mutating func remove(_ name: String) throws(VaultError) {
        var index = changing()
        guard let i = index.removeValue(forKey: name) else { throw .entryNotFound(name) }
        items.remove(at: i)
        // Positions after it move down by one; the names need no hashing again.
        self.index = index.mapValues { $0 > i ? $0 - 1 : $0 }
    }

    /// Keeps a decoded entry; reuses its slot when the item was already decoded.
    private mutating func store(_ entry: Entry, replacing item: Int?) -> Int {
        if let item, item < 0 {
            decoded[-1 - item] = entry
            return item
        }
        decoded.append(entry)
        return -decoded.count
    }

    /// The payload encoding (spec §5) of the whole list: entries still encoded are copied as they were read.
    func encoded() throws(VaultError) -> SecureBytes {
        guard !isRedacted else { throw .invalidEntry("a list without its secrets cannot be written") }
        return try Payload.encode(count: items.count, redacted: false, identity: identity, teams: teams) { body in
            for item in items {
                if item < 0 {
                    body(.entry(decoded[-1 - item]))
                } else {
                    source!.withBytes(of: item) { body(.encoded($0)) }
                }
            }
        }
    }

    /// The payload encoding (spec §5) of some entries, in locked memory: how entries cross the agent socket.
    public static func encode(_ entries: [Entry]) throws(VaultError) -> SecureBytes {
        try Payload.encode(entries)
    }

    /// The same encoding with every secret field written with length 0 (`agent-protocol.md` §3.2, `list`):
    /// what `list` and `show` need, and no byte of any secret.
    public static func encodeRedacted(_ entries: [Entry]) throws(VaultError) -> SecureBytes {
        try Payload.encode(entries, redacted: true)
    }
}

/// A checked payload: its locked plaintext and where each entry is. Immutable once made.
private final class Source: @unchecked Sendable {
    let plaintext: SecureBytes
    let ranges: [Range<Int>]
    let names: NameTable
    let redacted: Bool

    init(plaintext: SecureBytes, ranges: [Range<Int>], names: NameTable, redacted: Bool) {
        self.plaintext = plaintext
        self.ranges = ranges
        self.names = names
        self.redacted = redacted
    }

    /// The index of the entry named `name`.
    func find(_ name: String) -> Int? {
        var name = name
        return name.withUTF8 { query in
            plaintext.withUnsafeBytes { bytes in
                names.find(UnsafeRawBufferPointer(query)) { Payload.nameBytes(bytes, ranges[$0]) }
            }
        }
    }

    func name(_ i: Int) -> String {
        plaintext.withUnsafeBytes { String(decoding: Payload.nameBytes($0, ranges[i]), as: UTF8.self) }
    }

    /// The entry at `i`; `fields` and `history` are scratch space, reused when many are decoded.
    func entry(_ i: Int) -> Entry {
        var fields = Payload.Fields(), history = Payload.Fields()
        return entry(i, fields: &fields, history: &history)
    }

    /// The entry at `i`; `fields` and `history` are scratch space, reused when many are decoded.
    func entry(_ i: Int, fields: inout Payload.Fields, history: inout Payload.Fields) -> Entry {
        plaintext.withUnsafeBytes { bytes in
            Payload.decodeEntry(bytes, ranges[i], storage: plaintext, fields: &fields, historyFields: &history)
        }
    }

    func withBytes(of i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        plaintext.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[ranges[i]])) }
    }
}
