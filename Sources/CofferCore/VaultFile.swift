import CofferSystem

/// A vault file split into its parts, before any key is known (spec §2). Parsing checks every rule
/// that needs no key — magic, version, slot table, KDF parameters — so nothing slow runs on a bad file.
public struct VaultFile: Sendable {
    public var slots: [Slot]
    /// The bytes the header MAC covers first: magic through the end of the slot table.
    public var headerBytes: [UInt8]
    public var headerMAC: [UInt8]
    public var payloadNonce: [UInt8]
    /// MAC ‖ ciphertext of the payload: a slice of the bytes parsed, not a copy (it is most of the file).
    public var payloadBox: ArraySlice<UInt8>

    /// The smallest possible file: header with one key-file slot, MAC, nonce, box of an empty payload.
    static let minimumBytes = 9 + 3 + VaultFormat.keyFileSlotBodyBytes + VaultFormat.headerMACBytes
        + VaultFormat.nonceBytes + VaultFormat.boxMACBytes + 4

    public init(parsing bytes: [UInt8]) throws(VaultError) {
        guard bytes.count <= VaultFormat.maxFileBytes else { throw .fileTooLarge(bytes.count) }
        let parsed = try bytes.withBytes { (raw) throws(VaultError) -> (slots: [Slot], headerEnd: Int) in
            var reader = ByteReader(raw)
            // Magic first, so a file that is not a vault gets that answer and not "truncated".
            let magicLength = min(VaultFormat.magic.count, raw.count)
            guard raw[0..<magicLength].elementsEqual(VaultFormat.magic[0..<magicLength]) else { throw .notAVault }
            _ = try reader.skip(VaultFormat.magic.count, or: .truncated)
            let version = UInt16(try reader.uint(2, or: .truncated))
            guard version == VaultFormat.version else { throw .unsupportedVersion(version) }
            let count = Int(try reader.uint(1, or: .truncated))
            guard (VaultFormat.minSlots...VaultFormat.maxSlots).contains(count) else {
                throw .malformedHeader("slot count \(count) is not between \(VaultFormat.minSlots) and \(VaultFormat.maxSlots)")
            }
            var slots: [Slot] = []
            for _ in 0..<count { slots.append(try Slot.decode(&reader)) }
            guard slots.contains(where: { $0.wrapped != nil }) else { throw .malformedHeader("no slot of a known type") }
            let rest = VaultFormat.headerMACBytes + VaultFormat.nonceBytes + VaultFormat.boxMACBytes + 4
            guard reader.remaining >= rest else { throw .truncated }
            return (slots, reader.offset)
        }
        slots = parsed.slots
        let end = parsed.headerEnd
        headerBytes = Array(bytes[0..<end])
        headerMAC = Array(bytes[end..<(end + VaultFormat.headerMACBytes)])
        let nonceStart = end + VaultFormat.headerMACBytes
        payloadNonce = Array(bytes[nonceStart..<(nonceStart + VaultFormat.nonceBytes)])
        payloadBox = bytes[(nonceStart + VaultFormat.nonceBytes)...]
    }

    init(slots: [Slot], headerMAC: [UInt8], payloadNonce: [UInt8], payloadBox: ArraySlice<UInt8>) {
        self.slots = slots
        self.headerBytes = VaultFile.encodeHeader(slots)
        self.headerMAC = headerMAC
        self.payloadNonce = payloadNonce
        self.payloadBox = payloadBox
    }

    static func encodeHeader(_ slots: [Slot]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(VaultFormat.magic)
        writer.append(VaultFormat.version)
        writer.append(UInt8(slots.count))
        for slot in slots { slot.encode(into: &writer) }
        return writer.bytes
    }

    /// The whole file.
    public var bytes: [UInt8] { headerBytes + headerMAC + payloadNonce + payloadBox }

    /// The passphrase slots, in table order.
    public var passphraseSlots: [PassphraseSlot] {
        slots.compactMap { if case .passphrase(let s) = $0 { s } else { nil } }
    }
}
