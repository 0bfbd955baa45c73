/// The constants of `Formats/vault-v2.md` (and of `vault-v1.md`, which this reader still opens), with the
/// spec's names.
public enum VaultFormat {
    /// "COFFER" in ASCII: the first six bytes of every vault file.
    public static let magic: [UInt8] = Array("COFFER".utf8)
    /// The version every write produces (v2 §2: version 3 is version 2 with the payload rules of §7.4).
    public static let version: UInt16 = 3
    /// The other versions this reader opens.
    public static let versionV1: UInt16 = 1
    public static let versionV2: UInt16 = 2
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

    /// Slot types (v2 §3). In a version-1 file only 0x01 and 0x02 exist, with the v1 bodies (v1 §3), and
    /// they read as `legacyPassphrase` and `legacyKeyFile`. Unknown types are skipped and kept as they are.
    public enum SlotType: UInt8, Sendable {
        case passphrase = 0x01
        case keyFile = 0x02
        /// A format-1 slot carried in a format-2 file until its secret is at hand (v2 §3.4).
        case legacyPassphrase = 0x11
        case legacyKeyFile = 0x12
    }
    /// Reserved for public-key recipients (team vaults); unknown to this version.
    public static let recipientSlotType: UInt8 = 0x03

    /// Version-2 header: magic, version, vault id, generation, next slot id, slot count.
    public static let vaultIDBytes = 16
    public static let headerFixedBytes = 6 + 2 + vaultIDBytes + 8 + 4 + 1 // 37
    /// A v2 slot's prefix: type, id, body length.
    public static let slotPrefixBytes = 1 + 4 + 2
    public static let publicKeyBytes = 32
    public static let sealedKeyBytes = vaultKeyBytes + 48 // crypto_box_SEALBYTES
    public static let slotTagBytes = 32
    /// Slot info plaintext: created (i64), label length (u8), label padded to 64 bytes, auth key.
    public static let maxLabelBytes = 64
    public static let authKeyBytes = 32
    public static let slotInfoBytes = 8 + 1 + maxLabelBytes + authKeyBytes // 105
    public static let slotInfoSealedBytes = nonceBytes + boxMACBytes + slotInfoBytes // 145
    /// Body lengths of the known slot types.
    public static let kdfParameterBytes = 1 + 4 + 8 + saltBytes // 29
    public static let recipientBytes = publicKeyBytes + sealedKeyBytes + slotTagBytes // 144
    public static let passphraseSlotBodyBytes = kdfParameterBytes + recipientBytes + slotInfoSealedBytes // 318
    public static let keyFileSlotBodyBytes = saltBytes + recipientBytes + slotInfoSealedBytes // 305
    public static let legacyPassphraseSlotBodyBytes = v1PassphraseSlotBodyBytes + slotInfoSealedBytes // 246
    public static let legacyKeyFileSlotBodyBytes = v1KeyFileSlotBodyBytes + slotInfoSealedBytes // 217
    /// Version-1 slot bodies.
    public static let v1PassphraseSlotBodyBytes = kdfParameterBytes + nonceBytes + wrappedKeyBytes // 101
    public static let v1KeyFileSlotBodyBytes = nonceBytes + wrappedKeyBytes // 72

    /// Domain-separation labels: BLAKE2b-256 message strings keyed with the vault key or a slot's secret.
    public static let headerMACLabel: [UInt8] = Array("coffer/v2/header-mac".utf8)
    public static let payloadKeyLabel: [UInt8] = Array("coffer/v2/payload".utf8)
    public static let slotInfoLabel: [UInt8] = Array("coffer/v2/slot-info".utf8)
    public static let keyFileSlotLabel: [UInt8] = Array("coffer/v2/keyfile-slot".utf8)
    public static let slotSecretKeyLabel: [UInt8] = Array("coffer/v2/slot-secret-key".utf8)
    public static let slotAuthKeyLabel: [UInt8] = Array("coffer/v2/slot-auth-key".utf8)
    public static let slotTagLabel: [UInt8] = Array("coffer/v2/slot-tag".utf8)
    /// The same for version 1.
    public static let v1HeaderMACLabel: [UInt8] = Array("coffer/v1/header-mac".utf8)
    public static let v1PayloadKeyLabel: [UInt8] = Array("coffer/v1/payload".utf8)
    public static let v1KeyFileSlotLabel: [UInt8] = Array("coffer/v1/keyfile-slot".utf8)

    /// The most Argon2id work (opslimit × memlimit, summed over the passphrase slots) an unauthenticated
    /// file may ask for: one slot at the caps. Checked before the first KDF runs (v2 §6 rule 11).
    public static let kdfBudget: UInt64 = opsLimitMax * memLimitMax

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
        /// Version 3: git's `authtype`; the login's secret is then git's `credential`.
        case authtype = 0x16
        case secret = 0x20
        case oauthRefreshToken = 0x21
        case history = 0x30
        case retired = 0x31
    }
    /// Limits on payload values.
    public static let maxNameBytes = 128
    public static let maxTextBytes = 4096
    public static let maxSecretBytes = 65536
    public static let maxHostBytes = 255
    /// Times are Unix seconds from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    public static let minTime: Int64 = 0
    public static let maxTime: Int64 = 253_402_300_799
}
