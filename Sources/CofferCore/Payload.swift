import CofferSodium

/// The payload plaintext of `Formats/vault-v1.md` §5: entry count, then length-prefixed entries of
/// tag-length-value fields in ascending tag order.
enum Payload {
    typealias Tag = VaultFormat.Tag

    // MARK: Encoding

    /// Serialises entries into a new locked buffer (measured first, so it is allocated once).
    static func encode(_ entries: [Entry], redacted: Bool = false) throws(VaultError) -> SecureBytes {
        var counter = Sink(buffer: nil, redacted: redacted)
        write(entries, to: &counter)
        let out: SecureBytes
        do { out = try SecureBytes(count: counter.offset) } catch { throw .crypto(error) }
        out.withUnsafeMutableBytes { buffer in
            var sink = Sink(buffer: buffer, redacted: redacted)
            write(entries, to: &sink)
            precondition(sink.offset == buffer.count, "payload size changed between passes")
        }
        return out
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
        mutating func field(_ tag: Tag, secret: Secret) {
            if redacted { return header(tag, 0) }
            header(tag, secret.count)
            secret.withUnsafeBytes { raw($0) }
        }
        /// A length-prefixed group whose length is only known after writing it.
        mutating func group(_ prefix: (inout Sink) -> Void, _ body: (inout Sink) -> Void) {
            var measure = Sink(buffer: nil, redacted: redacted)
            body(&measure)
            prefix(&self)
            u32(UInt32(measure.offset))
            body(&self)
        }
    }

    private static func write(_ entries: [Entry], to sink: inout Sink) {
        sink.u32(UInt32(entries.count))
        for entry in entries {
            sink.group({ _ in }) { s in write(entry, to: &s) }
        }
    }

    private static func write(_ e: Entry, to s: inout Sink) {
        s.field(.name, text: e.name)
        s.field(.kind, byte: e.kind.rawValue)
        s.field(.state, byte: e.enabled ? 0 : 1)
        s.field(.created, int: e.created)
        s.field(.updated, int: e.updated)
        if let note = e.note { s.field(.note, text: note) }
        s.field(.origin, byte: e.origin.rawValue)
        if let at = e.rejectedAt { s.field(.rejectedAt, int: at) }
        if let host = e.rejectedHost { s.field(.rejectedHost, text: host) }
        if let proto = e.protocol { s.field(.protocol, text: proto) }
        s.field(.host, text: e.host)
        if let path = e.path { s.field(.path, text: path) }
        if let user = e.username { s.field(.username, text: user) }
        if let type = e.tokenType { s.field(.tokenType, text: type.rawValue) }
        if let expiry = e.passwordExpiryUTC { s.field(.passwordExpiryUTC, int: expiry) }
        s.field(.secret, secret: e.secret)
        if let refresh = e.oauthRefreshToken { s.field(.oauthRefreshToken, secret: refresh) }
        for record in e.history {
            s.group({ $0.withTag(.history) }) { h in
                h.field(.created, int: record.created)
                if let user = record.username { h.field(.username, text: user) }
                h.field(.secret, secret: record.secret)
                h.field(.retired, int: record.retired)
            }
        }
    }

    // MARK: Decoding

    /// Parses a decrypted payload into entries and their index by name, built in the same pass that checks
    /// the names are unique (one hash per name: this runs for every entry of every vault opened). Secrets stay
    /// in `plaintext`; the entries keep it alive.
    ///
    /// `redacted`: every secret field must be empty (a `list` reply); the entries get empty secrets.
    static func decodeList(_ plaintext: SecureBytes, redacted: Bool = false) throws(VaultError) -> EntryList {
        try plaintext.withUnsafeBytes { (bytes) throws(VaultError) -> EntryList in
            var reader = ByteReader(bytes)
            let short = VaultError.malformedPayload("truncated")
            let count = try reader.uint(4, or: short)
            // Each entry takes at least 4 bytes, so a count beyond that is a lie; refuse before reserving.
            guard count <= UInt64(reader.remaining / 4) else { throw .malformedPayload("entry count \(count) exceeds the payload") }
            var entries: [Entry] = []
            entries.reserveCapacity(Int(count))
            var index: [String: Int] = [:]
            index.reserveCapacity(Int(count))
            let fields = Fields(), historyFields = Fields()
            for i in 0..<Int(count) {
                let length = Int(try reader.uint(4, or: short))
                let range = try reader.skip(length, or: short)
                let entry = try decodeEntry(bytes, range, storage: plaintext, redacted: redacted, index: i, fields: fields, historyFields: historyFields)
                guard index.updateValue(i, forKey: entry.name) == nil else { throw .malformedPayload("duplicate entry name '\(entry.name)'") }
                entries.append(entry)
            }
            guard reader.isAtEnd else { throw .malformedPayload("\(reader.remaining) trailing bytes") }
            return EntryList(uncheckedUnique: entries, index: index)
        }
    }

    /// The fields of one entry or history record, checked for order and duplicates: a slot per tag value and
    /// a bit per tag present, in buffers reused from record to record, since this runs for every entry of
    /// every vault opened.
    final class Fields {
        private let values = UnsafeMutableBufferPointer<Range<Int>>.allocate(capacity: 64)
        private var present: UInt64 = 0
        var history: [Range<Int>] = []

        deinit { values.deallocate() }

        func reset() {
            present = 0
            history.removeAll(keepingCapacity: true)
        }

        func set(_ raw: UInt8, _ range: Range<Int>) {
            values.initializeElement(at: Int(raw), to: range)
            present |= 1 << UInt64(raw)
        }

        subscript(_ tag: Tag) -> Range<Int>? {
            present & (1 << UInt64(tag.rawValue)) != 0 ? values[Int(tag.rawValue)] : nil
        }
    }

    /// Where a field is, for error messages; made into text only when there is an error to report.
    struct Where: CustomStringConvertible {
        let index: Int
        let history: Bool
        var description: String { history ? "entry \(index) history" : "entry \(index)" }
    }

    private static func readFields(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, allowed: TagSet, context: Where, into fields: Fields
    ) throws(VaultError) {
        fields.reset()
        var last: UInt8 = 0
        var at = range.lowerBound
        let end = range.upperBound
        // Plain loads, and a message built only on failure: this runs for every field of every entry.
        while at < end {
            guard end - at >= 5 else { throw .malformedPayload("\(context): truncated field") }
            let raw = bytes[at]
            guard let tag = Tag(rawValue: raw), allowed.contains(tag) else {
                throw .malformedPayload("\(context): unknown field tag 0x\(String(raw, radix: 16))")
            }
            let repeatable = tag == .history
            guard raw > last || (repeatable && raw == last) else {
                throw .malformedPayload("\(context): field 0x\(String(raw, radix: 16)) out of order or repeated")
            }
            last = raw
            let length = Int(bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self).littleEndian)
            at += 5
            guard length <= end - at else { throw .malformedPayload("\(context): truncated field") }
            let value = at..<(at + length)
            at += length
            if repeatable { fields.history.append(value) } else { fields.set(raw, value) }
        }
    }

    private static let entryTags = TagSet([
        .name, .kind, .state, .created, .updated, .note, .origin, .rejectedAt, .rejectedHost,
        .protocol, .host, .path, .username, .tokenType, .passwordExpiryUTC, .secret, .oauthRefreshToken, .history,
    ])
    private static let historyTags = TagSet([.created, .username, .secret, .retired])

    /// Which tags a record may hold, as a bitmask: a set lookup per field is measurable at 100,000 entries.
    struct TagSet {
        let bits: UInt64
        init(_ tags: [Tag]) { bits = tags.reduce(0) { $0 | 1 << UInt64($1.rawValue) } }
        func contains(_ tag: Tag) -> Bool { bits & (1 << UInt64(tag.rawValue)) != 0 }
    }

    private static func decodeEntry(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, storage: SecureBytes, redacted: Bool, index: Int,
        fields f: Fields, historyFields h: Fields
    ) throws(VaultError) -> Entry {
        let context = Where(index: index, history: false)
        try readFields(bytes, range, allowed: entryTags, context: context, into: f)
        let v = Values(bytes: bytes, fields: f, context: context, storage: storage, redacted: redacted)
        guard let kind = EntryKind(rawValue: try v.byte(.kind)) else { throw .malformedPayload("\(context): unknown kind") }
        let state = try v.byte(.state)
        guard state <= 1 else { throw .malformedPayload("\(context): unknown state \(state)") }
        guard let origin = EntryOrigin(rawValue: try v.byte(.origin)) else { throw .malformedPayload("\(context): unknown origin") }
        var entry = Entry(
            name: try v.text(.name), kind: kind, host: try v.text(.host),
            username: try v.optionalText(.username), secret: try v.secret(.secret), created: try v.int(.created))
        entry.enabled = state == 0
        entry.updated = try v.int(.updated)
        entry.note = try v.optionalText(.note)
        entry.origin = origin
        entry.rejectedAt = try v.optionalInt(.rejectedAt)
        entry.rejectedHost = try v.optionalText(.rejectedHost)
        entry.protocol = try v.optionalText(.protocol)
        entry.path = try v.optionalText(.path)
        if let type = try v.optionalText(.tokenType) {
            guard let tokenType = TokenType(rawValue: type) else { throw .malformedPayload("\(context): unknown token type") }
            entry.tokenType = tokenType
        }
        entry.passwordExpiryUTC = try v.optionalInt(.passwordExpiryUTC)
        entry.oauthRefreshToken = try v.optionalSecret(.oauthRefreshToken)
        for recordRange in f.history {
            let historyContext = Where(index: index, history: true)
            try readFields(bytes, recordRange, allowed: historyTags, context: historyContext, into: h)
            let hv = Values(bytes: bytes, fields: h, context: historyContext, storage: storage, redacted: redacted)
            entry.history.append(HistoryRecord(
                created: try hv.int(.created), retired: try hv.int(.retired),
                username: try hv.optionalText(.username), secret: try hv.secret(.secret)))
        }
        // The text rules on the bytes just read are the rules on the strings made of them, and cheaper; an
        // entry that fails them goes through the whole `validate()`, for its message.
        let textValid = v.passes(.name, Entry.isValidName(bytes:)) && v.passes(.host, Entry.isValidHost(bytes:))
            && v.passes(.note) && v.passes(.path, allowEmpty: true) && v.passes(.username) && v.passes(.protocol)
            && v.passes(.rejectedHost)
        do {
            if !textValid { try entry.validateText() }
            try entry.validateShape(redacted: redacted)
        } catch { throw .malformedPayload("\(context): \(error)") }
        return entry
    }

    /// Typed access to the fields of one record.
    private struct Values {
        let bytes: UnsafeRawBufferPointer
        let fields: Fields
        let context: Where
        let storage: SecureBytes
        let redacted: Bool

        func missing(_ tag: Tag) -> VaultError { .malformedPayload("\(context): missing field \(tag)") }
        func wrongSize(_ tag: Tag) -> VaultError { .malformedPayload("\(context): field \(tag) has the wrong size") }

        func optionalText(_ tag: Tag) throws(VaultError) -> String? {
            guard let range = fields[tag] else { return nil }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[range])
            // ASCII needs no validation (most names, hosts and usernames); anything else is checked.
            if !raw.contains(where: { $0 >= 0x80 }) { return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw .malformedPayload("\(context): field \(tag) is not UTF-8")
            }
            return text
        }
        /// Whether a field, when present, meets a rule of `Entry` on its bytes.
        func passes(_ tag: Tag, _ rule: (UnsafeRawBufferPointer) -> Bool) -> Bool {
            guard let range = fields[tag] else { return true }
            return rule(UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
        func passes(_ tag: Tag, allowEmpty: Bool = false) -> Bool {
            passes(tag) { Entry.isValidText(bytes: $0, allowEmpty: allowEmpty) }
        }
        func text(_ tag: Tag) throws(VaultError) -> String {
            guard let value = try optionalText(tag) else { throw missing(tag) }
            return value
        }
        func byte(_ tag: Tag) throws(VaultError) -> UInt8 {
            guard let range = fields[tag] else { throw missing(tag) }
            guard range.count == 1 else { throw wrongSize(tag) }
            return bytes[range.lowerBound]
        }
        func optionalInt(_ tag: Tag) throws(VaultError) -> Int64? {
            guard let range = fields[tag] else { return nil }
            guard range.count == 8 else { throw wrongSize(tag) }
            var value: UInt64 = 0
            for i in range.reversed() { value = value << 8 | UInt64(bytes[i]) }
            return Int64(bitPattern: value)
        }
        func int(_ tag: Tag) throws(VaultError) -> Int64 {
            guard let value = try optionalInt(tag) else { throw missing(tag) }
            return value
        }
        func optionalSecret(_ tag: Tag) throws(VaultError) -> Secret? {
            guard let range = fields[tag] else { return nil }
            guard !redacted || range.isEmpty else { throw .malformedPayload("\(context): field \(tag) is not redacted") }
            return Secret(slicing: storage, range: range)
        }
        func secret(_ tag: Tag) throws(VaultError) -> Secret {
            guard let value = try optionalSecret(tag) else { throw missing(tag) }
            return value
        }
    }
}

extension Payload.Sink {
    mutating func withTag(_ tag: VaultFormat.Tag) {
        withUnsafeBytes(of: tag.rawValue) { raw($0) }
    }
}
