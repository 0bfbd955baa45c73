import CofferSodium

/// What a member's Coffer remembers of a team vault it was given (`coffer team add`), kept in the member's
/// own vault (payload field `team`, v2 §11.6): where the file is, which vault it is, the newest generation
/// seen and the members at that generation. It turns the sealer a file names (§11.5) into a decision:
/// a file of another vault, an older generation (a rollback), or one sealed by an identity that was not a
/// member is refused until the member says otherwise.
public struct TeamPin: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var publicKey: [UInt8]

        public init(name: String, publicKey: [UInt8]) {
            self.name = name
            self.publicKey = publicKey
        }
    }

    /// How the member calls the team: its entries are `NAME/ENTRY` (label rule, no `/`).
    public var name: String
    /// The team vault file, absolute.
    public var path: String
    public var vaultID: [UInt8]
    /// The newest generation seen, and when (Unix seconds).
    public var generation: UInt64
    public var seen: Int64
    public var members: [Member]
    /// The vault key seen newest: its epoch (v2 §11.2) and its `keyCheck`. A file under an older key, or
    /// under another key of the same epoch, is refused: whoever kept an old key can re-MAC an old file with
    /// any generation, but cannot tag a member's slot with a newer epoch.
    public var epoch: UInt64
    public var keyCheck: [UInt8]

    public init(name: String, path: String, vault: Vault, now: Int64) throws(VaultError) {
        self.name = name
        self.path = path
        vaultID = vault.id
        generation = vault.generation
        seen = now
        members = vault.members.map { Member(name: $0.name, publicKey: $0.publicKey) }
        epoch = vault.keyEpoch
        keyCheck = try vault.keyCheck
    }

    /// Record fields (v2 §11.6).
    enum Field: UInt8 {
        case name = 0x01, path = 0x02, vaultID = 0x03, generation = 0x04, seen = 0x05, member = 0x06, epoch = 0x07, keyCheck = 0x08
    }

    /// Refuses a vault this pin does not trust (`teamRefused`, naming what to do); otherwise the pin as it
    /// is after seeing `vault`: a newer generation and its members. `own`: the member's public key, which
    /// trusts itself.
    public func check(_ vault: Vault, own: [UInt8]) throws(VaultError) -> TeamPin {
        let accept = "; if the team confirms it, 'coffer team add \(path) --accept' trusts it as it is"
        guard vault.id == vaultID else {
            throw .teamRefused(name, "\(path) holds another vault (id \(Identity.hex(vault.id)), not \(Identity.hex(vaultID)))" + accept)
        }
        // Read with the vault key held, a file need not hold this member's slot at all.
        guard let mine = vault.memberSlot(of: own) else { throw .notAMember }
        guard vault.generation >= generation else {
            throw .teamRefused(name, "\(path) is generation \(vault.generation), older than generation \(generation) seen before: a rollback, or an old checkout" + accept)
        }
        let check = try vault.keyCheck
        guard mine.epoch >= epoch else {
            throw .teamRefused(name, "\(path) is under vault key \(mine.epoch), older than key \(epoch) seen before: a rollback of its key, by someone who kept an old one" + accept)
        }
        // Every re-key is a write: a key epoch that climbed faster than the generation was not made by re-keys.
        guard mine.epoch <= epoch || mine.epoch - epoch <= vault.generation - generation else {
            throw .teamRefused(name, "\(path) claims vault key \(mine.epoch) only \(vault.generation - generation) writes after key \(epoch)" + accept)
        }
        guard mine.epoch > epoch || check == keyCheck else {
            throw .teamRefused(name, "\(path) is under another vault key than the one seen before for key \(epoch): made by someone who kept an old key, or re-keyed on two branches at once" + accept)
        }
        if mine.sealer != own && !members.contains(where: { $0.publicKey == mine.sealer }) {
            let who = vault.members.first { $0.publicKey == mine.sealer }?.name ?? "an identity that is not a member"
            throw .teamRefused(name, "\(path) was sealed for you by \(who) (\(Identity.fingerprint(mine.sealer))), who was not a member at generation \(generation)" + accept)
        }
        var next = self
        if vault.generation > generation || mine.epoch > epoch {
            next.generation = vault.generation
            next.members = vault.members.map { Member(name: $0.name, publicKey: $0.publicKey) }
            next.epoch = mine.epoch
            next.keyCheck = check
        }
        return next
    }

    /// The other side of a merge (v2 §12): a branch need not be newer than what this member saw, but it
    /// descends from the common version `base`, so its vault key is the base's, or one re-keyed since by a
    /// sealer this member trusts. An older key than the base's is a replay by someone who kept it.
    /// Without a base, it is held to this pin as any file is. A sealer is trusted when it is a remembered
    /// member, or a member of the base that `ours` still has (one removed since is not).
    public func checkOtherSide(_ side: Vault, base: Vault?, ours: Vault, own: [UInt8]) throws(VaultError) {
        guard side.id == vaultID else { throw .teamRefused(name, "the other side is another vault (id \(Identity.hex(side.id)))") }
        guard let mine = side.memberSlot(of: own) else { throw .notAMember }
        let kept = (base?.members ?? []).filter { m in ours.members.contains { $0.publicKey == m.publicKey } }
        let trusted = members.map(\.publicKey) + kept.map(\.publicKey) + [own]
        var (refEpoch, refGeneration, refCheck) = (epoch, generation, keyCheck)
        if let base, let inBase = base.memberSlot(of: own) { (refEpoch, refGeneration, refCheck) = (inBase.epoch, base.generation, try base.keyCheck) }
        guard mine.epoch >= refEpoch else {
            throw .teamRefused(name, "the other side is under vault key \(mine.epoch), older than key \(refEpoch) of \(base == nil ? "the one seen before" : "the common version"): a replay of an old key")
        }
        if mine.epoch == refEpoch {
            guard try side.keyCheck == refCheck else { throw .teamRefused(name, "the other side holds another vault key than \(base == nil ? "the one seen before" : "the common version") for key \(mine.epoch)") }
            return
        }
        guard mine.epoch - refEpoch <= side.generation &- refGeneration, side.generation >= refGeneration else {
            throw .teamRefused(name, "the other side claims vault key \(mine.epoch) only \(side.generation &- refGeneration) writes after key \(refEpoch)")
        }
        guard trusted.contains(mine.sealer) else {
            throw .teamRefused(name, "the other side was sealed for you by \(Identity.fingerprint(mine.sealer)), who is not a member you know")
        }
    }

    // MARK: Encoding (a vault field's value: fields of `u8 tag, u32 length, value`, ascending; `member` repeats)

    func encode(into sink: inout Payload.Sink) {
        sink.field(tag: Field.name.rawValue, Array(name.utf8))
        sink.field(tag: Field.path.rawValue, Array(path.utf8))
        sink.field(tag: Field.vaultID.rawValue, vaultID)
        sink.field(tag: Field.generation.rawValue, withUnsafeBytes(of: generation.littleEndian) { Array($0) })
        sink.field(tag: Field.seen.rawValue, withUnsafeBytes(of: seen.littleEndian) { Array($0) })
        for m in members { sink.field(tag: Field.member.rawValue, m.publicKey + Array(m.name.utf8)) }
        sink.field(tag: Field.epoch.rawValue, withUnsafeBytes(of: epoch.littleEndian) { Array($0) })
        sink.field(tag: Field.keyCheck.rawValue, keyCheck)
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(VaultError) {
        let bad = VaultError.malformedPayload("a team field breaks its rules")
        var reader = ByteReader(bytes)
        var values: [UInt8: [UInt8]] = [:], members: [Member] = []
        var last: UInt8 = 0
        while !reader.isAtEnd {
            let tag = UInt8(try reader.uint(1, or: bad))
            let value = try reader.bytes(Int(try reader.uint(4, or: bad)), or: bad)
            guard tag > last || (tag == Field.member.rawValue && last == tag), Field(rawValue: tag) != nil else { throw bad }
            last = tag
            if tag == Field.member.rawValue {
                guard value.count > VaultFormat.publicKeyBytes, let name = TeamPin.label(Array(value[VaultFormat.publicKeyBytes...])) else { throw bad }
                members.append(Member(name: name, publicKey: Array(value[..<VaultFormat.publicKeyBytes])))
            } else {
                values[tag] = value
            }
        }
        guard let name = values[Field.name.rawValue].flatMap(TeamPin.label), TeamPin.isValidName(name),
              let path = values[Field.path.rawValue], !path.isEmpty, path.count <= VaultFormat.maxTextBytes,
              let pathText = String(validating: path, as: UTF8.self), !pathText.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              let id = values[Field.vaultID.rawValue], id.count == VaultFormat.vaultIDBytes,
              let generation = values[Field.generation.rawValue], generation.count == 8,
              let seen = values[Field.seen.rawValue], seen.count == 8,
              let epoch = values[Field.epoch.rawValue], epoch.count == 8,
              let keyCheck = values[Field.keyCheck.rawValue], keyCheck.count == 32 else { throw bad }
        self.name = name
        self.path = pathText
        vaultID = id
        self.generation = generation.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        self.seen = seen.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
        self.members = members
        self.epoch = epoch.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        self.keyCheck = keyCheck
    }

    /// Absolute *text* (v2 §7.2): what a team field's path may be.
    public static func isValidPath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        return path.hasPrefix("/") && bytes.count <= VaultFormat.maxTextBytes && !bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// 1 to 64 bytes under the slot label rule.
    static func label(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty, bytes.withUnsafeBytes({ SlotInfo.isValidLabel(bytes: $0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A team name: an entry name (v2 §7.2) of at most 64 bytes without `/`, since its entries are named
    /// `TEAM/NAME`.
    public static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= VaultFormat.maxLabelBytes && Entry.isValidName(name) && !name.contains("/")
    }
}
