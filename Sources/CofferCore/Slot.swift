import CofferSodium

/// One entry of the slot table (v2 §3): a stable id and one way to obtain the vault key.
public struct Slot: Sendable, Equatable {
    /// Never changes and is never reused in this vault (v2 §3: `next-slot-id`).
    public let id: UInt32
    var body: Body
    /// The sealed slot info as read from a version-2 file; nil for a version-1 slot and an unknown type.
    var sealedInfo: [UInt8]?

    enum Body: Sendable, Equatable {
        /// Types 0x01 and 0x02: the vault key sealed to the slot's X25519 public key.
        case passphrase(KDFParameters, salt: [UInt8], Recipient)
        case keyFile(salt: [UInt8], Recipient)
        /// Type 0x03 (version 4): a member's identity; `sealer` is the public key of the identity that sealed
        /// and tagged the vault key for it, with whom the member shares the tag's key, and `epoch` the vault
        /// key's number, raised at every re-key and covered by the tag (v2 §11.2).
        case member(sealer: [UInt8], epoch: UInt64, Recipient)
        /// Types 0x11 and 0x12 (and a version-1 file's 0x01 and 0x02): the vault key wrapped under the
        /// slot's own key, as in version 1. Such a slot cannot be given a new vault key (v2 §3.4).
        case legacyPassphrase(KDFParameters, salt: [UInt8], Wrapped)
        case legacyKeyFile(Wrapped)
        /// A type this version does not know: skipped when opening, kept verbatim when saving.
        case unknown(type: UInt8, body: [UInt8])
    }

    /// What a re-keying writer needs of a slot (public key) and what its holder checks (tag).
    struct Recipient: Sendable, Equatable {
        var publicKey: [UInt8]
        var sealedKey: [UInt8]
        var tag: [UInt8]
    }

    /// A version-1 wrapping: `Seal(kek, nonce, vault key)`.
    struct Wrapped: Sendable, Equatable {
        var nonce: [UInt8]
        var box: [UInt8]
    }

    public var type: UInt8 {
        switch body {
        case .passphrase: VaultFormat.SlotType.passphrase.rawValue
        case .keyFile: VaultFormat.SlotType.keyFile.rawValue
        case .member: VaultFormat.SlotType.member.rawValue
        case .legacyPassphrase: VaultFormat.SlotType.legacyPassphrase.rawValue
        case .legacyKeyFile: VaultFormat.SlotType.legacyKeyFile.rawValue
        case .unknown(let type, _): type
        }
    }

    /// The word `coffer slot list` prints.
    public var typeName: String {
        switch body {
        case .passphrase, .legacyPassphrase: "passphrase"
        case .keyFile, .legacyKeyFile: "key-file"
        case .member: "member"
        case .unknown(let type, _): "unknown-\(type)"
        }
    }

    /// Opened by a passphrase (Argon2id), as opposed to a key file.
    public var isPassphrase: Bool {
        switch body {
        case .passphrase, .legacyPassphrase: true
        default: false
        }
    }

    public var isKeyFile: Bool {
        switch body {
        case .keyFile, .legacyKeyFile: true
        default: false
        }
    }

    public var isMember: Bool {
        if case .member = body { return true }
        return false
    }

    /// The public key of a member slot's identity.
    public var memberKey: [UInt8]? {
        if case .member(_, _, let r) = body { return r.publicKey }
        return nil
    }

    /// A slot of a known type: something can open it.
    public var isKnown: Bool {
        if case .unknown = body { return false }
        return true
    }

    /// A format-1 slot, not yet given an X25519 key pair.
    public var isLegacy: Bool {
        switch body {
        case .legacyPassphrase, .legacyKeyFile: true
        default: false
        }
    }

    /// The Argon2id parameters of a passphrase slot.
    public var kdf: KDFParameters? {
        switch body {
        case .passphrase(let kdf, _, _), .legacyPassphrase(let kdf, _, _): kdf
        default: nil
        }
    }

    var passphraseSalt: [UInt8]? {
        switch body {
        case .passphrase(_, let salt, _), .legacyPassphrase(_, let salt, _): salt
        default: nil
        }
    }

    var recipient: Recipient? {
        switch body {
        case .passphrase(_, _, let r), .keyFile(_, let r), .member(_, _, let r): r
        default: nil
        }
    }

    // MARK: Encoding

    /// The body bytes this slot is written with (v2 §3), `info` being its sealed info.
    func encode(into writer: inout ByteWriter, info: [UInt8]) {
        writer.append(type)
        writer.append(id)
        var body = ByteWriter()
        switch self.body {
        case .passphrase(let kdf, let salt, let r):
            Slot.encode(kdf, salt: salt, into: &body)
            Slot.encode(r, into: &body)
        case .keyFile(let salt, let r):
            body.append(salt)
            Slot.encode(r, into: &body)
        case .member(let sealer, let epoch, let r):
            body.append(sealer)
            body.append(epoch)
            Slot.encode(r, into: &body)
        case .legacyPassphrase(let kdf, let salt, let w):
            Slot.encode(kdf, salt: salt, into: &body)
            body.append(w.nonce)
            body.append(w.box)
        case .legacyKeyFile(let w):
            body.append(w.nonce)
            body.append(w.box)
        case .unknown(_, let bytes):
            body.append(bytes)
        }
        if isKnown { body.append(info) }
        writer.append(UInt16(body.bytes.count))
        writer.append(body.bytes)
    }

    private static func encode(_ kdf: KDFParameters, salt: [UInt8], into writer: inout ByteWriter) {
        writer.append(VaultFormat.kdfAlgorithmArgon2id13)
        writer.append(UInt32(kdf.opsLimit))
        writer.append(kdf.memLimit)
        writer.append(salt)
    }

    private static func encode(_ r: Recipient, into writer: inout ByteWriter) {
        writer.append(r.publicKey)
        writer.append(r.sealedKey)
        writer.append(r.tag)
    }

    // MARK: Decoding

    /// One slot of a version-2 (to 4) table: type, id, length, body. Type 0x03 is a member slot from
    /// version 4 on, unknown before.
    static func decode(_ reader: inout ByteReader, version: UInt16) throws(VaultError) -> Slot {
        let type = UInt8(try reader.uint(1, or: .truncated))
        let id = UInt32(try reader.uint(4, or: .truncated))
        let length = Int(try reader.uint(2, or: .truncated))
        let range = try reader.skip(length, or: .truncated)
        var body = ByteReader(reader.bytes, from: range.lowerBound, to: range.upperBound)
        func expect(_ bytes: Int, _ name: String) throws(VaultError) {
            guard length == bytes else { throw .badSlot("\(name) slot \(id) has a \(length)-byte body, not \(bytes)") }
        }
        let info = { (body: inout ByteReader) throws(VaultError) -> [UInt8] in
            try body.bytes(body.remaining, or: .truncated)
        }
        let known = VaultFormat.SlotType(rawValue: type).flatMap { $0 == .member && version < 4 ? nil : $0 }
        switch known {
        case .passphrase:
            try expect(VaultFormat.passphraseSlotBodyBytes, "passphrase")
            let (kdf, salt) = try decodeKDF(&body)
            return Slot(id: id, body: .passphrase(kdf, salt: salt, try decodeRecipient(&body)), sealedInfo: try info(&body))
        case .keyFile:
            try expect(VaultFormat.keyFileSlotBodyBytes, "key-file")
            let salt = try body.bytes(VaultFormat.saltBytes, or: .truncated)
            return Slot(id: id, body: .keyFile(salt: salt, try decodeRecipient(&body)), sealedInfo: try info(&body))
        case .member:
            try expect(VaultFormat.memberSlotBodyBytes, "member")
            let sealer = try body.bytes(VaultFormat.publicKeyBytes, or: .truncated)
            let epoch = try body.uint(8, or: .truncated)
            return Slot(id: id, body: .member(sealer: sealer, epoch: epoch, try decodeRecipient(&body)), sealedInfo: try info(&body))
        case .legacyPassphrase:
            try expect(VaultFormat.legacyPassphraseSlotBodyBytes, "format-1 passphrase")
            let (kdf, salt) = try decodeKDF(&body)
            return Slot(id: id, body: .legacyPassphrase(kdf, salt: salt, try decodeWrapped(&body)), sealedInfo: try info(&body))
        case .legacyKeyFile:
            try expect(VaultFormat.legacyKeyFileSlotBodyBytes, "format-1 key-file")
            return Slot(id: id, body: .legacyKeyFile(try decodeWrapped(&body)), sealedInfo: try info(&body))
        case nil:
            return Slot(id: id, body: .unknown(type: type, body: try body.bytes(length, or: .truncated)), sealedInfo: nil)
        }
    }

    /// Slot `index` of a version-1 table (v1 §3): its id is its index.
    static func decodeV1(_ reader: inout ByteReader, index: Int) throws(VaultError) -> Slot {
        let type = UInt8(try reader.uint(1, or: .truncated))
        let length = Int(try reader.uint(2, or: .truncated))
        let range = try reader.skip(length, or: .truncated)
        var body = ByteReader(reader.bytes, from: range.lowerBound, to: range.upperBound)
        let id = UInt32(index)
        switch VaultFormat.SlotType(rawValue: type) {
        case .passphrase:
            guard length == VaultFormat.v1PassphraseSlotBodyBytes else {
                throw .badSlot("passphrase slot body is \(length) bytes, not \(VaultFormat.v1PassphraseSlotBodyBytes)")
            }
            let (kdf, salt) = try decodeKDF(&body)
            return Slot(id: id, body: .legacyPassphrase(kdf, salt: salt, try decodeWrapped(&body)), sealedInfo: nil)
        case .keyFile:
            guard length == VaultFormat.v1KeyFileSlotBodyBytes else {
                throw .badSlot("key-file slot body is \(length) bytes, not \(VaultFormat.v1KeyFileSlotBodyBytes)")
            }
            return Slot(id: id, body: .legacyKeyFile(try decodeWrapped(&body)), sealedInfo: nil)
        default:
            return Slot(id: id, body: .unknown(type: type, body: try body.bytes(length, or: .truncated)), sealedInfo: nil)
        }
    }

    /// The version-1 bytes of this slot (v1 §3), for the header MAC of a version-1 file.
    func encodeV1(into writer: inout ByteWriter) {
        switch body {
        case .legacyPassphrase(let kdf, let salt, let w):
            writer.append(VaultFormat.SlotType.passphrase.rawValue)
            writer.append(UInt16(VaultFormat.v1PassphraseSlotBodyBytes))
            Slot.encode(kdf, salt: salt, into: &writer)
            writer.append(w.nonce)
            writer.append(w.box)
        case .legacyKeyFile(let w):
            writer.append(VaultFormat.SlotType.keyFile.rawValue)
            writer.append(UInt16(VaultFormat.v1KeyFileSlotBodyBytes))
            writer.append(w.nonce)
            writer.append(w.box)
        case .unknown(let type, let bytes):
            writer.append(type)
            writer.append(UInt16(bytes.count))
            writer.append(bytes)
        case .passphrase, .keyFile, .member:
            preconditionFailure("a version-1 file holds no version-2 slot")
        }
    }

    private static func decodeKDF(_ body: inout ByteReader) throws(VaultError) -> (KDFParameters, [UInt8]) {
        let algorithm = UInt8(try body.uint(1, or: .truncated))
        guard algorithm == VaultFormat.kdfAlgorithmArgon2id13 else { throw .unsupportedKDFAlgorithm(algorithm) }
        let kdf = KDFParameters(opsLimit: try body.uint(4, or: .truncated), memLimit: try body.uint(8, or: .truncated))
        // Checked here, while parsing, so no caller can run the KDF on parameters the spec refuses.
        try kdf.validate()
        return (kdf, try body.bytes(VaultFormat.saltBytes, or: .truncated))
    }

    private static func decodeRecipient(_ body: inout ByteReader) throws(VaultError) -> Recipient {
        Recipient(publicKey: try body.bytes(VaultFormat.publicKeyBytes, or: .truncated),
                  sealedKey: try body.bytes(VaultFormat.sealedKeyBytes, or: .truncated),
                  tag: try body.bytes(VaultFormat.slotTagBytes, or: .truncated))
    }

    private static func decodeWrapped(_ body: inout ByteReader) throws(VaultError) -> Wrapped {
        Wrapped(nonce: try body.bytes(VaultFormat.nonceBytes, or: .truncated),
                box: try body.bytes(VaultFormat.wrappedKeyBytes, or: .truncated))
    }
}
