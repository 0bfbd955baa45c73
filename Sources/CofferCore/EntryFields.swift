import CofferSodium

/// How a field's value is coded (`Formats/vault-v2.md` §7), and the rule its bytes follow.
enum FieldCodec: Sendable {
    /// *text*: UTF-8, no control characters, at most `maxTextBytes`; empty only when allowed.
    case text(allowEmpty: Bool)
    /// The entry-name rule: 1 to 128 bytes of `A–Z a–z 0–9 . _ - @ + : /`, first a letter or digit.
    case name
    /// A host name or `[IPv6]`, with an optional `:port` (v2 §7.3).
    case host
    /// A URL scheme (RFC 3986 §3.1): a letter, then letters, digits, `+`, `-` or `.`; at most 32 bytes.
    case scheme
    /// An HTTP authentication scheme (RFC 9110 §11.1, a token): 1 to 64 of letters, digits and
    /// ``!#$%&'*+-.^_`|~``; a reader takes any *text*.
    case authScheme
    /// *byte*: exactly 1 byte; which values are defined is the field's own rule (`Field.known`).
    case byte
    /// *time*: exactly 8 bytes, `i64` Unix seconds.
    case time
    /// *secret*: 1 to `maxSecretBytes` arbitrary bytes; in a redacted payload exactly 0.
    case secret
    /// *id* (version 4): exactly 16 bytes.
    case entryID

    /// What is wrong with a value of this codec, if anything: with `strict`, by the writer's rules (v2 §7.3),
    /// else by the reader's (§7.2). Text rules run on the bytes: control characters are single bytes, and no
    /// byte of a multi-byte UTF-8 sequence is below 0x80.
    func problem(_ value: UnsafeRawBufferPointer, redacted: Bool, strict: Bool) -> FieldProblem? {
        switch self {
        case .byte: return value.count == 1 ? nil : .wrongSize
        case .entryID: return value.count == VaultFormat.entryIDBytes ? nil : .wrongSize
        case .time:
            guard value.count == 8 else { return .wrongSize }
            guard strict else { return nil }
            let t = Int64(littleEndian: value.loadUnaligned(as: Int64.self))
            return (VaultFormat.minTime...VaultFormat.maxTime).contains(t) ? nil : .timeRange
        case .secret:
            if redacted { return value.isEmpty ? nil : .notRedacted }
            return (1...VaultFormat.maxSecretBytes).contains(value.count) ? nil : .secretLength
        case .name:
            return Entry.isValidName(bytes: value) ? nil : .rule
        case .text(let allowEmpty):
            if value.isEmpty { return allowEmpty ? nil : .empty }
            return FieldCodec.textProblem(value, slash: false, strict: strict)
        case .host:
            guard strict else { return value.isEmpty ? .empty : FieldCodec.textProblem(value, slash: true, strict: false) }
            return FieldCodec.isValidHost(value) ? nil : .rule
        case .authScheme:
            guard strict else { return value.isEmpty ? .empty : FieldCodec.textProblem(value, slash: false, strict: false) }
            guard (1...64).contains(value.count) else { return .rule }
            return value.allSatisfy { FieldCodec.isLetter($0) || FieldCodec.isDigit($0) || Array("!#$%&'*+-.^_`|~".utf8).contains($0) } ? nil : .rule
        case .scheme:
            guard strict else { return value.isEmpty ? .empty : FieldCodec.textProblem(value, slash: false, strict: false) }
            guard (1...32).contains(value.count), FieldCodec.isLetter(value[0]) else { return .rule }
            return value.allSatisfy { FieldCodec.isLetter($0) || FieldCodec.isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E } ? nil : .rule
        }
    }

    static func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
    static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }

    /// `name [":" port]` or `"[" ipv6 "]" [":" port]`: a name is letters, digits, `-`, `.`, `_`, `~` and
    /// non-ASCII UTF-8 (internationalised names), an IPv6 literal hex digits, `:` and `.`, a port 1 to 65535
    /// without a leading zero; at most 255 bytes.
    static func isValidHost(_ value: UnsafeRawBufferPointer) -> Bool {
        guard (1...VaultFormat.maxHostBytes).contains(value.count), textProblem(value, slash: true, strict: true) == nil else { return false }
        var end = value.count
        if let colon = value.lastIndex(of: 0x3A), value[0] != 0x5B || (colon > 0 && value[colon - 1] == 0x5D) {
            let port = value[(colon + 1)...]
            guard (1...5).contains(port.count), port.first != 0x30, port.allSatisfy(isDigit),
                  let number = Int(String(decoding: port, as: UTF8.self)), number <= 65535 else { return false }
            end = colon
        }
        let host = value[0..<end]
        guard !host.isEmpty else { return false }
        if host.first == 0x5B {
            guard host.count > 2, host.last == 0x5D else { return false }
            return host.dropFirst().dropLast().allSatisfy { isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) || $0 == 0x3A || $0 == 0x2E }
        }
        return host.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || $0 == 0x7E || $0 >= 0x80 }
    }

    /// The text rule — no control characters, at most `maxTextBytes`, valid UTF-8 — and with `slash` the host
    /// rule (no `/`), in one pass over the bytes.
    private static func textProblem(_ value: UnsafeRawBufferPointer, slash: Bool, strict: Bool) -> FieldProblem? {
        guard value.count <= VaultFormat.maxTextBytes else { return .rule }
        var high = false
        var previous: UInt8 = 0
        for b in value {
            if b < 0x20 || b == 0x7F || (slash && b == 0x2F) { return .rule }
            // U+0080-U+009F (C1 controls) are C2 80 to C2 9F in UTF-8.
            if strict && previous == 0xC2 && b <= 0x9F { return .rule }
            high = high || b >= 0x80
            previous = b
        }
        return !high || String(validating: value, as: UTF8.self) != nil ? nil : .notUTF8
    }

}

enum FieldProblem {
    case wrongSize, notUTF8, rule, empty, secretLength, notRedacted, timeRange
}

/// Which values of a byte or word field the spec defines.
enum KnownValues: Sendable {
    case any, kind, state, origin, tokenType

    func accepts(_ raw: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .any: true
        case .kind: raw.count == 1 && EntryKind(rawValue: raw[0]) != nil
        case .state: raw.count == 1 && raw[0] <= 1
        case .origin: raw.count == 1 && EntryOrigin(rawValue: raw[0]) != nil
        case .tokenType: TokenType(rawValue: String(decoding: raw, as: UTF8.self)) != nil
        }
    }
}

/// What the one pass at open checks of a field, as plain values: it runs for every field of every entry,
/// where copying a `Field` (closures and all) would cost a retain and release each.
struct FieldRule: Sendable {
    let tag: VaultFormat.Tag
    let codec: FieldCodec
    let required: Bool
    let known: KnownValues

    init<Root>(_ field: Field<Root>) {
        tag = field.tag
        codec = field.codec
        required = field.required
        known = field.known
    }
}

/// One field of a record (`Root` is `Entry` or `HistoryRecord`): its tag and codec, whether it is required,
/// the word messages use for it, and how it maps to `Root`. The tables in `EntryFields` drive encoding,
/// decoding, validation and equality, so a new field is one line there plus its spec text.
struct Field<Root>: Sendable {
    let tag: VaultFormat.Tag
    let codec: FieldCodec
    let required: Bool
    /// The field in messages ("note has control characters").
    let label: String
    /// Writes the field when `Root` has a value for it.
    let write: @Sendable (Root, inout Payload.Sink) -> Void
    /// Sets the value from bytes that passed the codec's rule and `known`; secrets become ranges of `storage`.
    let read: @Sendable (inout Root, FieldBytes) -> Void
    /// For byte fields and words: which values the spec defines.
    let known: KnownValues
    /// Lends the value's bytes (nil when absent) to `body`, for the rules of a record built in memory.
    let withValue: @Sendable (Root, (UnsafeRawBufferPointer?) -> FieldProblem?) -> FieldProblem?
    /// The same value in both records; secrets compared in constant time.
    let same: @Sendable (Root, Root) -> Bool
}

/// A field's value where the payload holds it.
struct FieldBytes {
    let payload: UnsafeRawBufferPointer
    let range: Range<Int>
    let storage: SecureBytes
    var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: payload[range]) }
    var text: String { String(decoding: raw, as: UTF8.self) }
    var time: Int64 { Int64(littleEndian: raw.loadUnaligned(as: Int64.self)) }
    var byte: UInt8 { raw[0] }
    var secret: Secret { Secret(slicing: storage, range: range) }
}

private func textBytes(_ text: String?, _ body: (UnsafeRawBufferPointer?) -> FieldProblem?) -> FieldProblem? {
    guard var text else { return body(nil) }
    return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}

private func timeBytes(_ time: Int64?, _ body: (UnsafeRawBufferPointer?) -> FieldProblem?) -> FieldProblem? {
    guard let time else { return body(nil) }
    return withUnsafeBytes(of: time.littleEndian) { body($0) }
}

extension Field {
    // Accessors are closures, not key paths: a key path read from a table is projected at run time, with a
    // generic metadata lookup each time (80% of encoding 1,000 entries, perf showed).

    static func text(_ tag: VaultFormat.Tag, _ label: String, _ codec: FieldCodec,
                     get: @escaping @Sendable (Root) -> String, set: @escaping @Sendable (inout Root, String) -> Void) -> Field {
        Field(tag: tag, codec: codec, required: true, label: label,
              write: { r, s in s.field(tag, text: get(r)) },
              read: { r, b in set(&r, b.text) },
              known: .any,
              withValue: { r, body in textBytes(get(r), body) },
              same: { a, b in get(a) == get(b) })
    }

    static func optionalText(_ tag: VaultFormat.Tag, _ label: String, allowEmpty: Bool = false, codec: FieldCodec? = nil,
                             get: @escaping @Sendable (Root) -> String?, set: @escaping @Sendable (inout Root, String) -> Void) -> Field {
        Field(tag: tag, codec: codec ?? .text(allowEmpty: allowEmpty), required: false, label: label,
              write: { r, s in if let v = get(r) { s.field(tag, text: v) } },
              read: { r, b in set(&r, b.text) },
              known: .any,
              withValue: { r, body in textBytes(get(r), body) },
              same: { a, b in get(a) == get(b) })
    }

    /// Text from a fixed list of words, mapped to a Swift value.
    static func word(_ tag: VaultFormat.Tag, _ label: String, get: @escaping @Sendable (Root) -> String?,
                     set: @escaping @Sendable (inout Root, String) -> Void, known: KnownValues) -> Field {
        Field(tag: tag, codec: .text(allowEmpty: false), required: false, label: label,
              write: { r, s in if let v = get(r) { s.field(tag, text: v) } },
              read: { r, b in set(&r, b.text) },
              known: known,
              withValue: { r, body in textBytes(get(r), body) },
              same: { a, b in get(a) == get(b) })
    }

    /// A time, required, or optional when `get` can give nil.
    static func time(_ tag: VaultFormat.Tag, _ label: String, required: Bool = true,
                     get: @escaping @Sendable (Root) -> Int64?, set: @escaping @Sendable (inout Root, Int64) -> Void) -> Field {
        Field(tag: tag, codec: .time, required: required, label: label,
              write: { r, s in if let v = get(r) { s.field(tag, int: v) } },
              read: { r, b in set(&r, b.time) },
              known: .any,
              withValue: { r, body in timeBytes(get(r), body) },
              same: { a, b in get(a) == get(b) })
    }

    /// A byte that stands for a Swift value; `get` and `set` map it.
    static func byte(_ tag: VaultFormat.Tag, _ label: String, get: @escaping @Sendable (Root) -> UInt8,
                     set: @escaping @Sendable (inout Root, UInt8) -> Void, known: KnownValues) -> Field {
        Field(tag: tag, codec: .byte, required: true, label: label,
              write: { r, s in s.field(tag, byte: get(r)) },
              read: { r, b in set(&r, b.byte) },
              known: known,
              withValue: { r, body in withUnsafeBytes(of: get(r)) { body($0) } },
              same: { a, b in get(a) == get(b) })
    }

    /// An entry id: 16 bytes, absent in an entry that has none yet.
    static func entryID(_ tag: VaultFormat.Tag, get: @escaping @Sendable (Root) -> EntryID?, set: @escaping @Sendable (inout Root, EntryID) -> Void) -> Field {
        Field(tag: tag, codec: .entryID, required: false, label: "id",
              write: { r, s in if let v = get(r) { s.field(tag, bytes: v.bytes) } },
              read: { r, b in set(&r, EntryID(bytes: Array(b.raw))!) },
              known: .any,
              withValue: { r, body in
                  guard let v = get(r) else { return body(nil) }
                  return v.bytes.withUnsafeBytes { body($0) }
              },
              same: { a, b in get(a) == get(b) })
    }

    /// A secret, required, or optional when `get` can give nil.
    static func secret(_ tag: VaultFormat.Tag, _ label: String, required: Bool = true,
                       get: @escaping @Sendable (Root) -> Secret?, set: @escaping @Sendable (inout Root, Secret) -> Void) -> Field {
        Field(tag: tag, codec: .secret, required: required, label: label,
              write: { r, s in if let v = get(r) { s.field(tag, secret: v) } },
              read: { r, b in set(&r, b.secret) },
              known: .any,
              withValue: { r, body in
                  guard let v = get(r) else { return body(nil) }
                  return v.withUnsafeBytes { body($0) }
              },
              same: { a, b in
                  switch (get(a), get(b)) {
                  case (nil, nil): true
                  case let (x?, y?): x.constantTimeEquals(y)
                  default: false
                  }
              })
    }
}

/// The fields of an entry and of a history record, in ascending tag order: `Formats/vault-v2.md` §7's
/// tables, one line a field. Tag `0x30` (history) holds records of `history`; it is the one repeatable field
/// and comes last.
enum EntryFields {
    static let entry: [Field<Entry>] = [
        .text(.name, "name", .name, get: { $0.name }, set: { $0.name = $1 }),
        .byte(.kind, "kind", get: { $0.kind.rawValue }, set: { $0.kind = EntryKind(rawValue: $1)! }, known: .kind),
        .byte(.state, "state", get: { $0.enabled ? 0 : 1 }, set: { $0.enabled = $1 == 0 }, known: .state),
        .time(.created, "created", get: { $0.created }, set: { $0.created = $1 }),
        .time(.updated, "updated", get: { $0.updated }, set: { $0.updated = $1 }),
        .optionalText(.note, "note", get: { $0.note }, set: { $0.note = $1 }),
        .byte(.origin, "origin", get: { $0.origin.rawValue }, set: { $0.origin = EntryOrigin(rawValue: $1)! }, known: .origin),
        .time(.rejectedAt, "rejected time", required: false, get: { $0.rejectedAt }, set: { $0.rejectedAt = $1 }),
        .optionalText(.rejectedHost, "rejected host", codec: .host, get: { $0.rejectedHost }, set: { $0.rejectedHost = $1 }),
        .entryID(.entryID, get: { $0.id }, set: { $0.id = $1 }),
        .optionalText(.protocol, "protocol", codec: .scheme, get: { $0.protocol }, set: { $0.protocol = $1 }),
        .text(.host, "host", .host, get: { $0.host }, set: { $0.host = $1 }),
        .optionalText(.path, "path", allowEmpty: true, get: { $0.path }, set: { $0.path = $1 }),
        .optionalText(.username, "username", get: { $0.username }, set: { $0.username = $1 }),
        .word(.tokenType, "token type", get: { $0.tokenType?.rawValue }, set: { $0.tokenType = TokenType(rawValue: $1) }, known: .tokenType),
        .time(.passwordExpiryUTC, "password expiry", required: false, get: { $0.passwordExpiryUTC }, set: { $0.passwordExpiryUTC = $1 }),
        .optionalText(.authtype, "authtype", codec: .authScheme, get: { $0.authtype }, set: { $0.authtype = $1 }),
        .secret(.secret, "secret", get: { $0.secret }, set: { $0.secret = $1 }),
        .secret(.oauthRefreshToken, "refresh token", required: false, get: { $0.oauthRefreshToken }, set: { $0.oauthRefreshToken = $1 }),
    ]

    static let history: [Field<HistoryRecord>] = [
        .time(.created, "created", get: { $0.created }, set: { $0.created = $1 }),
        .optionalText(.username, "username", get: { $0.username }, set: { $0.username = $1 }),
        .secret(.secret, "history secret", get: { $0.secret }, set: { $0.secret = $1 }),
        .time(.retired, "retired", get: { $0.retired }, set: { $0.retired = $1 }),
    ]

    /// Version 4: an exposure record (tag `0x32`, repeatable, after the history).
    static let exposure: [Field<Exposure>] = [
        .text(.exposedTo, "exposed-to member", .text(allowEmpty: false), get: { $0.member }, set: { $0.member = $1 }),
        .time(.exposedSince, "exposed since", get: { $0.since }, set: { $0.since = $1 }),
    ]

    static let entryRules = RuleTable(entry)
    static let historyRules = RuleTable(history)
    static let exposureRules = RuleTable(exposure)

    /// The word messages use for a field of an entry or history record.
    static func label(_ tag: VaultFormat.Tag, history: Bool) -> String {
        history ? (EntryFields.history.first { $0.tag == tag }?.label ?? exposure.first { $0.tag == tag }?.label ?? "\(tag)")
            : (entry.first { $0.tag == tag }?.label ?? "\(tag)")
    }

    /// Which tags each record may hold, as bitmasks: a set lookup per field is measurable at 100,000 entries.
    static let entryTags = TagSet(entry.map(\.tag) + [.history, .exposure])
    /// Version 3 has no entry id and no exposure; versions 1 and 2 no `authtype` either.
    static let entryTagsV3 = TagSet(bits: entryTags.bits & ~TagSet([.entryID, .exposure]).bits)
    static let entryTagsV2 = TagSet(bits: entryTagsV3.bits & ~TagSet([.authtype]).bits)
    static let historyTags = TagSet(history.map(\.tag))
    static let exposureTags = TagSet(exposure.map(\.tag))
}

/// The rules of a record's fields by tag value, and which tags it requires: the check at open visits only
/// the fields present, in tag order, and finds a missing one with one mask.
struct RuleTable: Sendable {
    private let byTag: [FieldRule?]
    let required: TagSet

    init<Root>(_ fields: [Field<Root>]) {
        var byTag = [FieldRule?](repeating: nil, count: 64)
        for field in fields { byTag[Int(field.tag.rawValue)] = FieldRule(field) }
        self.byTag = byTag
        required = TagSet(fields.filter(\.required).map(\.tag))
    }

    subscript(_ raw: Int) -> FieldRule? { byTag[raw] }
}

/// A set of tags as a bitmask (every tag is below 64).
struct TagSet: Sendable {
    var bits: UInt64
    init(_ tags: [VaultFormat.Tag]) { bits = tags.reduce(0) { $0 | 1 << UInt64($1.rawValue) } }
    init(bits: UInt64) { self.bits = bits }
    func contains(_ tag: VaultFormat.Tag) -> Bool { bits & (1 << UInt64(tag.rawValue)) != 0 }
}
