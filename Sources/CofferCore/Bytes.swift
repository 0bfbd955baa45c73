/// Little-endian reading over borrowed bytes, throwing `truncated` instead of trapping.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    mutating func skip(_ count: Int, or error: VaultError) throws(VaultError) -> Range<Int> {
        guard count >= 0, count <= remaining else { throw error }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func bytes(_ count: Int, or error: VaultError) throws(VaultError) -> [UInt8] {
        let range = try skip(count, or: error)
        return Array(bytes[range])
    }

    mutating func uint(_ width: Int, or error: VaultError) throws(VaultError) -> UInt64 {
        let range = try skip(width, or: error)
        // One load for the common widths (every entry's length is a u32).
        switch width {
        case 4: return UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt32.self)))
        case 8: return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self))
        default: break
        }
        var value: UInt64 = 0
        for i in range.reversed() { value = value << 8 | UInt64(bytes[i]) }
        return value
    }
}

/// Little-endian appending into ordinary memory (headers, which hold no secrets).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ other: [UInt8]) { bytes += other }
    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
