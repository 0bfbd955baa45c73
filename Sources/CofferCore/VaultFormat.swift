/// The constants of `Formats/vault-v1.md`, with the spec's names.
public enum VaultFormat {
    /// "COFFER" in ASCII: the first six bytes of every vault file.
    public static let magic: [UInt8] = Array("COFFER".utf8)
    /// The only format version this reader accepts.
    public static let version: UInt16 = 1
    /// Slot table bounds.
    public static let minSlots = 1
    public static let maxSlots = 16
    /// Fixed sizes, in bytes.
    public static let vaultKeyBytes = 32
    public static let headerMACBytes = 32
    public static let nonceBytes = 24
    public static let boxMACBytes = 16
    public static let saltBytes = 16
    public static let wrappedKeyBytes = vaultKeyBytes + boxMACBytes // 48
    /// A reader refuses files larger than this before reading them whole.
    public static let maxFileBytes = 1 << 30

    /// Slot types. Unknown types are skipped and kept as they are.
    public enum SlotType: UInt8, Sendable {
        case passphrase = 0x01
        case keyFile = 0x02
    }
    /// Body lengths of the known slot types.
    public static let passphraseSlotBodyBytes = 1 + 4 + 8 + saltBytes + nonceBytes + wrappedKeyBytes // 101
    public static let keyFileSlotBodyBytes = nonceBytes + wrappedKeyBytes // 72

    /// Domain-separation labels: BLAKE2b-256 message strings keyed with the vault key or key-file key.
    public static let headerMACLabel: [UInt8] = Array("coffer/v1/header-mac".utf8)
    public static let payloadKeyLabel: [UInt8] = Array("coffer/v1/payload".utf8)
    public static let keyFileSlotLabel: [UInt8] = Array("coffer/v1/keyfile-slot".utf8)

    /// Argon2id parameter policy: at least libsodium's INTERACTIVE level, at most these caps.
    public static let kdfAlgorithmArgon2id13: UInt8 = 2 // crypto_pwhash_ALG_ARGON2ID13
    public static let opsLimitMin: UInt64 = 2
    public static let opsLimitMax: UInt64 = 10
    public static let memLimitMin: UInt64 = 64 << 20 // 64 MiB
    public static let memLimitMax: UInt64 = 4 << 30 // 4 GiB
    public static let memLimitGranularity: UInt64 = 1024

    /// Payload field tags (entry fields in ascending order; history fields inside tag 0x30).
    public enum Tag: UInt8, Sendable {
        case name = 0x01
        case kind = 0x02
        case state = 0x03
        case created = 0x04
        case updated = 0x05
        case note = 0x06
        case origin = 0x07
        case rejectedAt = 0x08
        case rejectedHost = 0x09
        case `protocol` = 0x10
        case host = 0x11
        case path = 0x12
        case username = 0x13
        case tokenType = 0x14
        case passwordExpiryUTC = 0x15
        case secret = 0x20
        case oauthRefreshToken = 0x21
        case history = 0x30
        case retired = 0x31
    }
    /// Limits on payload values.
    public static let maxNameBytes = 128
    public static let maxTextBytes = 4096
    public static let maxSecretBytes = 65536
}
