import CofferSodium

/// One entry of the slot table: the vault key wrapped under one unlock method (spec §3).
public enum Slot: Sendable, Equatable {
    case passphrase(PassphraseSlot)
    case keyFile(KeyFileSlot)
    /// A slot type this version does not know: skipped when opening, kept verbatim when saving.
    case unknown(type: UInt8, body: [UInt8])

    public var typeName: String {
        switch self {
        case .passphrase: "passphrase"
        case .keyFile: "key-file"
        case .unknown(let type, _): "unknown (type \(type))"
        }
    }

    /// The nonce and wrapped key of a known slot.
    var wrapped: (nonce: [UInt8], box: [UInt8])? {
        switch self {
        case .passphrase(let s): (s.nonce, s.wrappedKey)
        case .keyFile(let s): (s.nonce, s.wrappedKey)
        case .unknown: nil
        }
    }

    func encode(into writer: inout ByteWriter) {
        switch self {
        case .passphrase(let s):
            writer.append(VaultFormat.SlotType.passphrase.rawValue)
            writer.append(UInt16(VaultFormat.passphraseSlotBodyBytes))
            writer.append(VaultFormat.kdfAlgorithmArgon2id13)
            writer.append(UInt32(s.kdf.opsLimit))
            writer.append(s.kdf.memLimit)
            writer.append(s.salt)
            writer.append(s.nonce)
            writer.append(s.wrappedKey)
        case .keyFile(let s):
            writer.append(VaultFormat.SlotType.keyFile.rawValue)
            writer.append(UInt16(VaultFormat.keyFileSlotBodyBytes))
            writer.append(s.nonce)
            writer.append(s.wrappedKey)
        case .unknown(let type, let body):
            writer.append(type)
            writer.append(UInt16(body.count))
            writer.append(body)
        }
    }

    static func decode(_ reader: inout ByteReader) throws(VaultError) -> Slot {
        let type = UInt8(try reader.uint(1, or: .truncated))
        let length = Int(try reader.uint(2, or: .truncated))
        let bodyRange = try reader.skip(length, or: .truncated)
        var body = ByteReader(reader.bytes, from: bodyRange.lowerBound, to: bodyRange.upperBound)
        switch VaultFormat.SlotType(rawValue: type) {
        case .passphrase:
            guard length == VaultFormat.passphraseSlotBodyBytes else {
                throw .malformedHeader("passphrase slot body is \(length) bytes, not \(VaultFormat.passphraseSlotBodyBytes)")
            }
            let algorithm = UInt8(try body.uint(1, or: .truncated))
            guard algorithm == VaultFormat.kdfAlgorithmArgon2id13 else { throw .unsupportedKDFAlgorithm(algorithm) }
            let kdf = KDFParameters(opsLimit: try body.uint(4, or: .truncated), memLimit: try body.uint(8, or: .truncated))
            // Checked here, while parsing, so no caller can run the KDF on parameters the spec refuses.
            try kdf.validate()
            return .passphrase(PassphraseSlot(
                kdf: kdf,
                salt: try body.bytes(VaultFormat.saltBytes, or: .truncated),
                nonce: try body.bytes(VaultFormat.nonceBytes, or: .truncated),
                wrappedKey: try body.bytes(VaultFormat.wrappedKeyBytes, or: .truncated)))
        case .keyFile:
            guard length == VaultFormat.keyFileSlotBodyBytes else {
                throw .malformedHeader("key-file slot body is \(length) bytes, not \(VaultFormat.keyFileSlotBodyBytes)")
            }
            return .keyFile(KeyFileSlot(
                nonce: try body.bytes(VaultFormat.nonceBytes, or: .truncated),
                wrappedKey: try body.bytes(VaultFormat.wrappedKeyBytes, or: .truncated)))
        case nil:
            return .unknown(type: type, body: try body.bytes(length, or: .truncated))
        }
    }
}

/// Slot type 0x01: the vault key wrapped under an Argon2id key derived from a passphrase.
///
/// A slot is made only by parsing (`Slot.decode`) or wrapping (`wrap`), and both check the KDF policy, so
/// `deriveKey` never runs on parameters the spec refuses and does not check them a second time.
public struct PassphraseSlot: Sendable, Equatable {
    public private(set) var kdf: KDFParameters
    public private(set) var salt: [UInt8]
    public private(set) var nonce: [UInt8]
    public private(set) var wrappedKey: [UInt8]

    /// Runs Argon2id with this slot's salt and parameters: the slow step of unlocking.
    public func deriveKey(passphrase: SecureBytes) throws(VaultError) -> SecureBytes {
        do {
            return try PasswordHash.deriveKey(passphrase: passphrase, salt: salt, opsLimit: kdf.opsLimit, memLimit: kdf.memLimit)
        } catch { throw .crypto(error) }
    }

    /// A new slot: fresh salt and nonce, the vault key wrapped under the derived key.
    static func wrap(vaultKey: SecureBytes, passphrase: SecureBytes, kdf: KDFParameters) throws(VaultError) -> PassphraseSlot {
        try kdf.validate()
        do {
            let salt = try Random.bytes(VaultFormat.saltBytes)
            let kek = try PasswordHash.deriveKey(passphrase: passphrase, salt: salt, opsLimit: kdf.opsLimit, memLimit: kdf.memLimit)
            let nonce = try Random.bytes(VaultFormat.nonceBytes)
            let box = try vaultKey.withUnsafeBytes { (key) throws(SodiumError) in try SecretBox.seal(key, nonce: nonce, key: kek) }
            return PassphraseSlot(kdf: kdf, salt: salt, nonce: nonce, wrappedKey: box)
        } catch { throw .crypto(error) }
    }
}

/// Slot type 0x02: the vault key wrapped under a key derived from a 32-byte key file.
public struct KeyFileSlot: Sendable, Equatable {
    public private(set) var nonce: [UInt8]
    public private(set) var wrappedKey: [UInt8]

    static func wrap(vaultKey: SecureBytes, keyFile: KeyFile) throws(VaultError) -> KeyFileSlot {
        do {
            let kek = try keyFile.slotKey()
            let nonce = try Random.bytes(VaultFormat.nonceBytes)
            let box = try vaultKey.withUnsafeBytes { (key) throws(SodiumError) in try SecretBox.seal(key, nonce: nonce, key: kek) }
            return KeyFileSlot(nonce: nonce, wrappedKey: box)
        } catch { throw .crypto(error) }
    }
}
