import CofferSodium

/// The payload plaintext of `Formats/vault-v2.md` §7: entry count, then length-prefixed entries of
/// tag-length-value fields in ascending tag order. Every field goes through `EntryFields`.
enum Payload {
    typealias Tag = VaultFormat.Tag

    // MARK: Encoding

    /// What is written for one entry: the bytes it was read as, or an entry made or changed in memory.
    enum Part {
        case encoded(UnsafeRawBufferPointer)
        case entry(Entry)
    }

    /// Serialises entries into a new locked buffer (measured first, so it is allocated once).
    static func encode(_ entries: [Entry], redacted: Bool = false) throws(VaultError) -> SecureBytes {
        try encode(count: entries.count, redacted: redacted) { body in for e in entries { body(.entry(e)) } }
    }

    /// `parts` lends each entry in order to its argument; it runs twice (measure, then write). `identity`,
    /// a vault's own field (v2 §11.4), follows the entries.
    static func encode(count: Int, redacted: Bool, identity: Identity? = nil, teams: [TeamPin] = [], parts: ((Part) -> Void) -> Void) throws(VaultError) -> SecureBytes {
        var counter = Sink(buffer: nil, redacted: redacted)
        write(count: count, parts: parts, to: &counter)
        writeVaultFields(identity, teams, to: &counter)
        let out: SecureBytes
        do { out = try SecureBytes(count: counter.offset) } catch { throw .crypto(error) }
        out.withUnsafeMutableBytes { buffer in
            var sink = Sink(buffer: buffer, redacted: redacted)
            write(count: count, parts: parts, to: &sink)
            writeVaultFields(identity, teams, to: &sink)
            precondition(sink.offset == buffer.count, "payload size changed between passes")
        }
        return out
    }

    /// `identity`: tag 0x01, length 40, created (`i64`) ‖ secret key; then a `team` field (0x02) per team.
    private static func writeVaultFields(_ identity: Identity?, _ teams: [TeamPin], to sink: inout Sink) {
        if let identity {
            withUnsafeBytes(of: VaultFormat.VaultField.identity.rawValue) { sink.raw($0) }
            sink.u32(UInt32(VaultFormat.identityFieldBytes))
            withUnsafeBytes(of: identity.created.littleEndian) { sink.raw($0) }
            identity.secretKey.withUnsafeBytes { sink.raw($0) }
        }
        for team in teams {
            withUnsafeBytes(of: VaultFormat.VaultField.team.rawValue) { sink.raw($0) }
            sink.group(nil) { s in team.encode(into: &s) }
        }
    }

    /// Writes into a buffer, or only counts when it has none. A redacted sink writes secrets as empty fields.
    struct Sink {
        let buffer: UnsafeMutableRawBufferPointer?
        var redacted = false
        var offset = 0

        mutating func raw(_ source: UnsafeRawBufferPointer) {
            if let buffer, let base = source.baseAddress, source.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + source.count)])
                    .copyMemory(from: UnsafeRawBufferPointer(start: base, count: source.count))
            }
            offset += source.count
        }
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { raw($0) } }
        mutating func header(_ tag: Tag, _ length: Int) {
            withUnsafeBytes(of: tag.rawValue) { raw($0) }
            u32(UInt32(length))
        }
        mutating func field(_ tag: Tag, text: String) {
            var text = text
            text.withUTF8 { header(tag, $0.count); raw(UnsafeRawBufferPointer($0)) }
        }
        mutating func field(_ tag: Tag, byte: UInt8) {
            header(tag, 1)
            withUnsafeBytes(of: byte) { raw($0) }
        }
        mutating func field(_ tag: Tag, int: Int64) {
            header(tag, 8)
            withUnsafeBytes(of: int.littleEndian) { raw($0) }
        }
        /// A field of a vault field's record (`TeamPin`), whose tags are its own.
        mutating func field(tag: UInt8, _ bytes: [UInt8]) {
            withUnsafeBytes(of: tag) { raw($0) }
            u32(UInt32(bytes.count))
            bytes.withUnsafeBytes { raw($0) }
        }
        mutating func field(_ tag: Tag, bytes: [UInt8]) {
            header(tag, bytes.count)
            bytes.withUnsafeBytes { raw($0) }
        }
        mutating func field(_ tag: Tag, secret: Secret) {
            if redacted { return header(tag, 0) }
            header(tag, secret.count)
            secret.withUnsafeBytes { raw($0) }
        }
        /// A length-prefixed group whose length is only known after writing it.
        mutating func group(_ tag: Tag?, _ body: (inout Sink) -> Void) {
            if let tag { withUnsafeBytes(of: tag.rawValue) { raw($0) } }
            // Counting, the length's value does not matter: the body runs once. Writing, it is measured first.
            if buffer == nil {
                offset += 4
                return body(&self)
            }
            var measure = Sink(buffer: nil, redacted: redacted)
            body(&measure)
            u32(UInt32(measure.offset))
            body(&self)
        }
    }

    private static func write(count: Int, parts: ((Part) -> Void) -> Void, to sink: inout Sink) {
        sink.u32(UInt32(count))
        parts { part in
            switch part {
            case .encoded(let bytes):
                sink.u32(UInt32(bytes.count))
                sink.raw(bytes)
            case .entry(let entry):
                sink.group(nil) { s in write(entry, to: &s) }
            }
        }
    }

    private static func write(_ e: Entry, to s: inout Sink) {
        for field in EntryFields.entry { field.write(e, &s) }
        for record in e.history {
            s.group(.history) { h in for field in EntryFields.history { field.write(record, &h) } }
        }
        for exposure in e.exposures {
            s.group(.exposure) { x in for field in EntryFields.exposure { field.write(exposure, &x) } }
        }
    }

    // MARK: Checking and indexing

    /// One pass over a decrypted payload that checks every rule of §5 and §6 on the bytes — field order,
    /// tags, sizes, text rules, known values, which fields each kind has, unique names (and, version 4, unique
    /// ids) — and returns where each entry is, the index by name and where the vault's identity field is. No
    /// entry is built: `decodeEntry` makes one when it is asked for.
    /// `redacted`: every secret field must be empty (a `list` reply). `version`: the file's, whose rules apply
    /// (v2 §7.4, §11.4: what a later version allows is malformed in an earlier version's file).
    /// `file`: a vault file's payload, whose version-4 entries all have ids; entries crossing the agent socket
    /// may come without (a client made them; the vault's list gives them ids).
    static func index(_ plaintext: SecureBytes, redacted: Bool, version: UInt16 = VaultFormat.version, file: Bool = false) throws(VaultError) -> Index {
        let rules = Rules(version: version, file: file)
        return try plaintext.withUnsafeBytes { (bytes) throws(VaultError) -> Index in
            var reader = ByteReader(bytes)
            let short = VaultError.malformedPayload("truncated")
            let count = try reader.uint(4, or: short)
            // Each entry takes at least 4 bytes, so a count beyond that is a lie; refuse before reserving.
            guard count <= UInt64(reader.remaining / 4) else { throw .malformedPayload("entry count \(count) exceeds the payload") }
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(Int(count))
            var names = NameTable(capacity: Int(count))
            var ids = Set<UInt128>()
            if rules.v4 { ids.reserveCapacity(Int(count)) }
            var fields = Fields(), historyFields = Fields()
            for i in 0..<Int(count) {
                let length = Int(try reader.uint(4, or: short))
                let range = try reader.skip(length, or: short)
                try check(bytes, range, redacted: redacted, rules: rules, index: i, fields: &fields, historyFields: &historyFields)
                ranges.append(range)
                // One hash per name: the uniqueness check is the index.
                guard names.insert(i, name: nameBytes(bytes, range), names: { nameBytes(bytes, ranges[$0]) }) else {
                    throw .malformedPayload("duplicate entry name '\(String(decoding: nameBytes(bytes, range), as: UTF8.self))'")
                }
                if rules.v4, let id = fields[.entryID] {
                    guard ids.insert(bytes.loadUnaligned(fromByteOffset: id.lowerBound, as: UInt128.self)).inserted else {
                        throw .malformedPayload("entry \(i): duplicate entry id")
                    }
                }
            }
            var identity: Range<Int>? = nil
            var teams: [TeamPin] = []
            // The vault's own fields (v2 §11.4): tag, u32 length, value; ascending, `team` repeatable.
            var last: UInt8 = 0
            // Only a vault file's payload has them; none crosses the agent socket (agent-protocol.md §3.2).
            while rules.v4 && file && !reader.isAtEnd {
                let tag = UInt8(try reader.uint(1, or: short))
                let team = VaultFormat.VaultField.team.rawValue
                guard let field = VaultFormat.VaultField(rawValue: tag), tag > last || (tag == team && last == team) else {
                    throw .malformedPayload("trailing bytes after the entries that are no vault field")
                }
                let range = try reader.skip(Int(try reader.uint(4, or: short)), or: short)
                last = tag
                switch field {
                case .identity:
                    guard range.count == VaultFormat.identityFieldBytes else { throw .malformedPayload("the identity field is not \(VaultFormat.identityFieldBytes) bytes") }
                    identity = range
                case .team:
                    teams.append(try TeamPin(decoding: UnsafeRawBufferPointer(rebasing: bytes[range])))
                }
            }
            guard reader.isAtEnd else { throw .malformedPayload("\(reader.remaining) trailing bytes") }
            guard Set(teams.map(\.name)).count == teams.count else { throw .malformedPayload("two team fields have one name") }
            return Index(ranges: ranges, names: names, identity: identity, teams: teams)
        }
    }

    /// What `index` found.
    struct Index {
        let ranges: [Range<Int>]
        let names: NameTable
        /// Where the identity field's value is (created ‖ secret key).
        let identity: Range<Int>?
        let teams: [TeamPin]
    }

    /// Which rules a version's payload follows.
    struct Rules {
        let v3: Bool
        let v4: Bool
        let requiresID: Bool
        let entryTags: TagSet

        init(version: UInt16, file: Bool) {
            v3 = version >= VaultFormat.versionV3
            v4 = version >= 4
            requiresID = v4 && file
            entryTags = v4 ? EntryFields.entryTags : v3 ? EntryFields.entryTagsV3 : EntryFields.entryTagsV2
        }
    }

    /// The name of a checked entry: its first field (tag `0x01`, required, and tags ascend), whose value
    /// starts after the tag byte and the u32 length.
    static func nameBytes(_ bytes: UnsafeRawBufferPointer, _ entry: Range<Int>) -> UnsafeRawBufferPointer {
        let length = Int(bytes.loadUnaligned(fromByteOffset: entry.lowerBound + 1, as: UInt32.self).littleEndian)
        return UnsafeRawBufferPointer(rebasing: bytes[(entry.lowerBound + 5)..<(entry.lowerBound + 5 + length)])
    }

    /// The rules for one entry, on its bytes.
    private static func check(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, redacted: Bool, rules: Rules, index: Int, fields f: inout Fields, historyFields h: inout Fields
    ) throws(VaultError) {
        let v3 = rules.v3
        let context = Where(index: index, history: false)
        try readFields(bytes, range, allowed: rules.entryTags, context: context, into: &f)
        // Version 3: a login's username and secret, and those of its history, may be empty (git's `username=`
        // and `password=`); the kind byte is checked with the other fields just below.
        let isLogin = f[.kind].map { $0.count == 1 && bytes[$0.lowerBound] == EntryKind.login.rawValue } ?? false
        let mayBeEmpty = v3 && isLogin ? EntryShape.emptyInLogins : TagSet(bits: 0)
        // The name as text only for a message: most entries have nothing to report.
        let nameRange = f[.name]
        func name() -> String { nameRange.map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) } ?? "" }
        func wrapped(_ error: VaultError) -> VaultError {
            if case .malformedPayload = error { return error }
            return .malformedPayload("\(context): \(error)")
        }
        try checkRecord(bytes, f, EntryFields.entryRules, history: false, name: name, redacted: redacted, mayBeEmpty: mayBeEmpty, context: context, wrap: wrapped)
        let kind = EntryKind(rawValue: bytes[f[.kind]!.lowerBound])!
        let tokenType = f[.tokenType].flatMap { TokenType(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
        do { try EntryShape(kind: kind, tokenType: tokenType, present: f.present, v3: v3, requiresID: rules.requiresID).check(name: name()) } catch { throw wrapped(error) }
        let historyContext = Where(index: index, history: true)
        for record in f.history {
            try readFields(bytes, record, allowed: EntryFields.historyTags, context: historyContext, into: &h)
            try checkRecord(bytes, h, EntryFields.historyRules, history: true, name: name, redacted: redacted, mayBeEmpty: mayBeEmpty, context: historyContext, wrap: wrapped)
        }
        for record in f.exposures {
            try readFields(bytes, record, allowed: EntryFields.exposureTags, context: historyContext, into: &h)
            try checkRecord(bytes, h, EntryFields.exposureRules, history: true, name: name, redacted: redacted, mayBeEmpty: TagSet(bits: 0), context: historyContext, wrap: wrapped)
        }
    }

    private static func checkRecord(
        _ bytes: UnsafeRawBufferPointer, _ f: borrowing Fields, _ rules: RuleTable, history: Bool, name: () -> String, redacted: Bool,
        mayBeEmpty: TagSet, context: Where, wrap: (VaultError) -> VaultError
    ) throws(VaultError) {
        // The fields present, in ascending tag order (history and exposure records are checked on their own).
        var present = f.present.bits & ~TagSet([.history, .exposure]).bits
        while present != 0 {
            let raw = present.trailingZeroBitCount
            present &= present - 1
            guard let rule = rules[raw], let range = f.range(raw: raw) else { continue }
            let value = UnsafeRawBufferPointer(rebasing: bytes[range])
            if value.isEmpty && mayBeEmpty.contains(rule.tag) { continue }
            if let problem = rule.codec.problem(value, redacted: redacted, strict: false) {
                throw wrap(Entry.error(problem, rule.tag, EntryFields.label(rule.tag, history: history), name: name(), at: "\(context)"))
            }
            guard rule.known.accepts(value) else {
                throw .malformedPayload("\(context): unknown \(EntryFields.label(rule.tag, history: history))")
            }
        }
        let missing = rules.required.bits & ~f.present.bits
        if missing != 0, let tag = Tag(rawValue: UInt8(missing.trailingZeroBitCount)) {
            throw .malformedPayload("\(context): missing field \(tag)")
        }
    }

    // MARK: Decoding

    /// The entry at `range` of a payload that `index` checked; its secrets are ranges of `storage`.
    static func decodeEntry(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, storage: SecureBytes,
                            fields f: inout Fields, historyFields h: inout Fields) -> Entry {
        let none = Secret(slicing: storage, range: 0..<0)
        var entry = Entry(name: "", kind: .login, host: "", username: nil, secret: none, created: 0)
        readChecked(bytes, range, EntryFields.entryTags, into: &f)
        for field in EntryFields.entry {
            if let r = f[field.tag] { field.read(&entry, FieldBytes(payload: bytes, range: r, storage: storage)) }
        }
        for recordRange in f.history {
            readChecked(bytes, recordRange, EntryFields.historyTags, into: &h)
            var record = HistoryRecord(created: 0, retired: 0, username: nil, secret: none)
            for field in EntryFields.history {
                if let r = h[field.tag] { field.read(&record, FieldBytes(payload: bytes, range: r, storage: storage)) }
            }
            entry.history.append(record)
        }
        for recordRange in f.exposures {
            readChecked(bytes, recordRange, EntryFields.exposureTags, into: &h)
            var record = Exposure(member: "", since: 0)
            for field in EntryFields.exposure {
                if let r = h[field.tag] { field.read(&record, FieldBytes(payload: bytes, range: r, storage: storage)) }
            }
            entry.exposures.append(record)
        }
        return entry
    }

    private static func readChecked(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ allowed: TagSet, into fields: inout Fields) {
        do {
            try readFields(bytes, range, allowed: allowed, context: Where(index: 0, history: false), into: &fields)
        } catch {
            preconditionFailure("a payload is checked whole before any entry is decoded")
        }
    }

    /// The fields of one entry or history record, checked for order and duplicates: a slot per tag value and
    /// a bit per tag present, in buffers reused from record to record, since this runs for every entry of
    /// every vault opened. Not copyable, and passed `inout`: no reference counting, no dynamic exclusivity
    /// checks in the loop.
    struct Fields: ~Copyable {
        private let values = UnsafeMutableBufferPointer<Range<Int>>.allocate(capacity: 64)
        private(set) var present = TagSet(bits: 0)
        var history: [Range<Int>] = []
        var exposures: [Range<Int>] = []

        init() {}

        deinit { values.deallocate() }

        mutating func reset() {
            present.bits = 0
            // Most records have no history: skip the call into the runtime for an empty array.
            if !history.isEmpty { history.removeAll(keepingCapacity: true) }
            if !exposures.isEmpty { exposures.removeAll(keepingCapacity: true) }
        }

        mutating func set(_ raw: UInt8, _ range: Range<Int>) {
            values.initializeElement(at: Int(raw), to: range)
            present.bits |= 1 << UInt64(raw)
        }

        subscript(_ tag: Tag) -> Range<Int>? {
            present.contains(tag) ? values[Int(tag.rawValue)] : nil
        }

        func range(raw: Int) -> Range<Int>? {
            present.bits & (1 << UInt64(raw)) != 0 ? values[raw] : nil
        }
    }

    /// Where a field is, for error messages; made into text only when there is an error to report.
    struct Where: CustomStringConvertible {
        let index: Int
        let history: Bool
        var description: String { history ? "entry \(index) history" : "entry \(index)" }
    }

    private static func readFields(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, allowed: TagSet, context: Where, into fields: inout Fields
    ) throws(VaultError) {
        fields.reset()
        var last: UInt8 = 0
        var at = range.lowerBound
        let end = range.upperBound
        // Plain loads, and a message built only on failure: this runs for every field of every entry.
        while at < end {
            guard end - at >= 5 else { throw .malformedPayload("\(context): truncated field") }
            let raw = bytes[at]
            // The allowed set holds only tags this version defines: one mask test, no enum conversion.
            guard raw < 64, allowed.bits & (1 << UInt64(raw)) != 0 else {
                throw .malformedPayload("\(context): unknown field tag 0x\(String(raw, radix: 16))")
            }
            let repeatable = raw == Tag.history.rawValue || raw == Tag.exposure.rawValue
            guard raw > last || (repeatable && raw == last) else {
                throw .malformedPayload("\(context): field 0x\(String(raw, radix: 16)) out of order or repeated")
            }
            last = raw
            let length = Int(bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self).littleEndian)
            at += 5
            guard length <= end - at else { throw .malformedPayload("\(context): truncated field") }
            let value = at..<(at + length)
            at += length
            if raw == Tag.history.rawValue {
                fields.history.append(value)
            } else if raw == Tag.exposure.rawValue {
                fields.exposures.append(value)
            } else {
                fields.set(raw, value)
            }
        }
    }
}
