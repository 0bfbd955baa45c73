import CofferSodium
import CofferSystem

/// A vault file split into its parts, before any key is known (v2 §2, v1 §2). Parsing checks every rule
/// that needs no key — size, magic, version, slot table, KDF parameters and budget — in the spec's order,
/// so nothing slow runs on a bad file.
public struct VaultFile: Sendable {
    public var version: UInt16
    /// Version 2: fixed at creation. Empty in a version-1 file.
    public var vaultID: [UInt8]
    /// Version 2: 1 for the first file written, one more at every write. 0 in a version-1 file.
    public var generation: UInt64
    /// Version 2: the id the next slot gets. A version-1 file's ids are its slots' indexes.
    public var nextSlotID: UInt32
    public var slots: [Slot]
    /// The bytes the header MAC covers first: magic through the end of the slot table.
    public var headerBytes: [UInt8]
    public var headerMAC: [UInt8]
    public var payloadNonce: [UInt8]
    /// MAC ‖ ciphertext of the payload: a slice of the bytes parsed, not a copy (it is most of the file).
    public var payloadBox: ArraySlice<UInt8>

    public init(parsing bytes: [UInt8]) throws(VaultError) {
        guard bytes.count <= VaultFormat.maxFileBytes else { throw .fileTooLarge(bytes.count) }
        let parsed = try bytes.withBytes { (raw) throws(VaultError) -> Parsed in
            var reader = ByteReader(raw)
            // Magic first, so a file that is not a vault gets that answer and not "truncated".
            let magicLength = min(VaultFormat.magic.count, raw.count)
            guard raw[0..<magicLength].elementsEqual(VaultFormat.magic[0..<magicLength]) else { throw .notAVault }
            _ = try reader.skip(VaultFormat.magic.count, or: .truncated)
            let version = UInt16(try reader.uint(2, or: .truncated))
            var p = Parsed(version: version)
            switch version {
            case VaultFormat.version, VaultFormat.versionV3, VaultFormat.versionV2:
                p.vaultID = try reader.bytes(VaultFormat.vaultIDBytes, or: .truncated)
                p.generation = try reader.uint(8, or: .truncated)
                p.nextSlotID = UInt32(try reader.uint(4, or: .truncated))
            case VaultFormat.versionV1:
                break
            default:
                throw .unsupportedVersion(version)
            }
            let count = Int(try reader.uint(1, or: .truncated))
            guard (VaultFormat.minSlots...VaultFormat.maxSlots(version: version)).contains(count) else { throw .badSlotCount(count) }
            for index in 0..<count {
                p.slots.append(version == VaultFormat.versionV1 ? try Slot.decodeV1(&reader, index: index) : try Slot.decode(&reader, version: version))
            }
            if version == VaultFormat.versionV1 { p.nextSlotID = UInt32(count) }
            try VaultFile.checkTable(p.slots, nextSlotID: p.nextSlotID)
            let rest = VaultFormat.headerMACBytes + VaultFormat.nonceBytes + VaultFormat.boxMACBytes + 4
            guard reader.remaining >= rest else { throw .truncated }
            p.headerEnd = reader.offset
            return p
        }
        version = parsed.version
        vaultID = parsed.vaultID
        generation = parsed.generation
        nextSlotID = parsed.nextSlotID
        slots = parsed.slots
        let end = parsed.headerEnd
        headerBytes = Array(bytes[0..<end])
        headerMAC = Array(bytes[end..<(end + VaultFormat.headerMACBytes)])
        let nonceStart = end + VaultFormat.headerMACBytes
        payloadNonce = Array(bytes[nonceStart..<(nonceStart + VaultFormat.nonceBytes)])
        payloadBox = bytes[(nonceStart + VaultFormat.nonceBytes)...]
    }

    private struct Parsed {
        var version: UInt16
        var vaultID: [UInt8] = []
        var generation: UInt64 = 0
        var nextSlotID: UInt32 = 0
        var slots: [Slot] = []
        var headerEnd = 0
    }

    /// The table rules after each slot parsed (v2 §6 rules 10-12): ids unique and below `next-slot-id`, at
    /// least one slot of a known type, and the Argon2id work of all passphrase slots within the budget.
    static func checkTable(_ slots: [Slot], nextSlotID: UInt32) throws(VaultError) {
        var seen = Set<UInt32>()
        for slot in slots {
            guard slot.id < nextSlotID else { throw .badSlot("slot id \(slot.id) is not below the next slot id \(nextSlotID)") }
            guard seen.insert(slot.id).inserted else { throw .badSlot("slot id \(slot.id) appears twice") }
        }
        let work = slots.reduce(UInt64(0)) { total, slot in total + (slot.kdf.map { $0.opsLimit * $0.memLimit } ?? 0) }
        guard work <= VaultFormat.kdfBudget else { throw .kdfBudgetExceeded(work) }
        guard slots.contains(where: \.isKnown) else { throw .noKnownSlot }
    }

    /// The version-2 header (v2 §2): `infos[i]` is slot i's sealed info.
    static func encodeHeader(vaultID: [UInt8], generation: UInt64, nextSlotID: UInt32, slots: [Slot], infos: [[UInt8]]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(VaultFormat.magic)
        writer.append(VaultFormat.version)
        writer.append(vaultID)
        writer.append(generation)
        writer.append(nextSlotID)
        writer.append(UInt8(slots.count))
        for (slot, info) in zip(slots, infos) { slot.encode(into: &writer, info: info) }
        return writer.bytes
    }

    /// The whole file.
    public var bytes: [UInt8] { headerBytes + headerMAC + payloadNonce + payloadBox }

    /// The passphrase slots, in table order.
    public var passphraseSlots: [Slot] { slots.filter(\.isPassphrase) }

    /// A passphrase slot's secret (its Argon2id output), for `Unlock.slotKey`: the KDF once, then any number
    /// of opens (benchmarks, tests).
    public static func passphraseSecret(_ passphrase: SecureBytes, slot: Slot) throws(VaultError) -> SecureBytes {
        guard let kdf = slot.kdf, let salt = slot.passphraseSalt else { throw .invalidSlot("slot \(slot.id) is not a passphrase slot") }
        return try SlotKeys.passphraseSecret(slot.isLegacy ? passphrase : try Passphrase.forVersion2(passphrase), kdf: kdf, salt: salt)
    }
}
