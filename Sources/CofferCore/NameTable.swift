/// The names of a checked payload, hashed once at open: an open-addressing table of entry indices keyed
/// by the name's bytes where the payload holds them, so opening makes no `String` and no dictionary entry
/// per name (a `[String: Int]` was a tenth of opening 100,000 entries). Immutable once built.
///
/// FNV-1a is not keyed: a vault's names are the vault owner's own, inside authenticated data, so nobody
/// else can choose them to collide.
struct NameTable: Sendable {
    /// The name's hash in the high 32 bits and `index + 1` of its entry in the low, 0 for an empty slot; the
    /// count is a power of two. The hash is compared first: only an equal one costs a look at the names,
    /// which are scattered over the payload (a cache miss or two each).
    private var slots: [UInt64]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        // FNV's low bits barely differ between names like login-1 and login-2, and the table takes the low
        // bits: MurmurHash3's finaliser spreads every bit over all of them (without it, probe chains ran long).
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Adds entry `index`; false when an entry of the same name is there already. `name(i)` lends entry
    /// `i`'s name bytes.
    mutating func insert(_ index: Int, name: UnsafeRawBufferPointer, names: (Int) -> UnsafeRawBufferPointer) -> Bool {
        let hash = NameTable.hash(name)
        let tag = UInt64(truncatingIfNeeded: hash) & 0xFFFF_FFFF_0000_0000
        var slot = hash & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry & 0xFFFF_FFFF_0000_0000 == tag, names(Int(entry & 0xFFFF_FFFF) - 1).elementsEqual(name) { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = tag | UInt64(index + 1)
        return true
    }

    /// The index of the entry named `name`, if any.
    func find(_ name: UnsafeRawBufferPointer, names: (Int) -> UnsafeRawBufferPointer) -> Int? {
        let hash = NameTable.hash(name)
        let tag = UInt64(truncatingIfNeeded: hash) & 0xFFFF_FFFF_0000_0000
        var slot = hash & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            let i = Int(entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == tag, names(i).elementsEqual(name) { return i }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
