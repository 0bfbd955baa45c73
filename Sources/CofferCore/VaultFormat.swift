/// The constants of `Formats/vault-v2.md` (versions 2 to 4; and of `vault-v1.md`, which this reader still
/// opens), with the spec's names.
public enum VaultFormat {
    /// "COFFER" in ASCII: the first six bytes of every vault file.
    public static let magic: [UInt8] = Array("COFFER".utf8)
    /// The version every write produces (v2 §2: version 3 is version 2 with the payload rules of §7.4;
    /// version 4 adds member slots, entry ids, exposure records and the identity, §11).
    public static let version: UInt16 = 4
    /// The other versions this reader opens.
    public static let versionV1: UInt16 = 1
    public static let versionV2: UInt16 = 2
    public static let versionV3: UInt16 = 3
    /// Slot table bounds: 16 slots in versions 1 to 3, 255 (the most a `u8` count holds) in version 4.
    public static let minSlots = 1
    public static let maxSlots = 255
    public static let maxSlotsV3 = 16
    public static func maxSlots(version: UInt16) -> Int { version >= 4 ? maxSlots : maxSlotsV3 }
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
        /// Version 4: a team member (or host) holding an identity; the vault key sealed to its public key,
        /// tagged with a key from the X25519 secret it shares with the writer that sealed it (v2 §11.2).
        case member = 0x03
        /// A format-1 slot carried in a format-2 file until its secret is at hand (v2 §3.4).
        case legacyPassphrase = 0x11
        case legacyKeyFile = 0x12
    }

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
    /// Member slot (version 4): the sealing writer's public key, the recipient, and an info with the
    /// member's name and who added them (created, name length, name, adder length, adder).
    public static let memberInfoBytes = 8 + 1 + maxLabelBytes + 1 + maxLabelBytes // 138
    public static let memberInfoSealedBytes = nonceBytes + boxMACBytes + memberInfoBytes // 178
    public static let memberSlotBodyBytes = publicKeyBytes + 8 + recipientBytes + memberInfoSealedBytes // 362
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
    /// Version 4: a member slot's auth key, keyed with the X25519 secret of sealer and member.
    public static let memberAuthKeyLabel: [UInt8] = Array("coffer/v4/member-auth-key".utf8)
    /// Version 4: a commitment to the vault key that a member remembers (v2 §11.6); it reveals nothing of it.
    public static let keyCheckLabel: [UInt8] = Array("coffer/v4/key-check".utf8)
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
        /// Version 4: 16 random bytes, made when the entry is, never changed; how a merge pairs entries.
        case entryID = 0x0A
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
        /// Version 4: "exposed to MEMBER since TIME", one record per removed member who could read the entry.
        case exposure = 0x32
        case exposedTo = 0x33
        case exposedSince = 0x34
    }
    /// Version 4: the payload's own fields after the entries (v2 §11.4).
    public enum VaultField: UInt8, Sendable {
        /// created (`i64`) ‖ the owner's X25519 secret key (32 bytes).
        case identity = 0x01
        /// A team vault the owner was given, and what they saw of it (`TeamPin`); repeatable.
        case team = 0x02
    }
    public static let entryIDBytes = 16
    public static let identityFieldBytes = 8 + 32
    /// Limits on payload values.
    public static let maxNameBytes = 128
    public static let maxTextBytes = 4096
    public static let maxSecretBytes = 65536
    public static let maxHostBytes = 255
    /// Times are Unix seconds from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    public static let minTime: Int64 = 0
    public static let maxTime: Int64 = 253_402_300_799
}
