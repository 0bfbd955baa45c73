internal import CSodium

/// An owning buffer of secret bytes in libsodium-allocated memory.
///
/// `sodium_malloc` places the bytes between guard pages and locks them in RAM (`mlock`) so they are not
/// swapped out; the buffer is wiped with `sodium_memzero` and freed when the last reference goes away.
/// A class, not a value type, so the bytes are never silently copied; pointers are only lent to closures.
public final class SecureBytes: @unchecked Sendable {
    // sodium_malloc memory is never moved; access goes through the with… methods below only.
    private let base: UnsafeMutableRawPointer
    /// The number of usable bytes.
    public let count: Int

    /// Allocates `count` zeroed bytes of locked memory.
    public convenience init(count: Int) throws(SodiumError) {
        try self.init(count: count, zeroed: true)
    }

    /// `zeroed: false` is for a buffer the caller overwrites whole at once (a decryption's output):
    /// sodium_malloc has already filled it with a fixed garbage byte, and a 15 MB payload is not filled twice.
    init(count: Int, zeroed: Bool) throws(SodiumError) {
        try Sodium.ready()
        precondition(count >= 0, "negative SecureBytes size")
        // sodium_malloc(0) is legal but a one-byte allocation keeps every pointer non-null.
        guard let pointer = sodium_malloc(max(count, 1)) else { throw .allocationFailed(bytes: count) }
        if zeroed { sodium_memzero(pointer, max(count, 1)) }
        base = pointer
        self.count = count
    }

    /// Allocates a buffer and fills it with `count` bytes from the system CSPRNG.
    public static func random(count: Int) throws(SodiumError) -> SecureBytes {
        let bytes = try SecureBytes(count: count)
        if count > 0 { randombytes_buf(bytes.base, count) }
        return bytes
    }

    /// Copies bytes into a new secure buffer. Use for data that is already in ordinary memory.
    public convenience init(copying source: UnsafeRawBufferPointer) throws(SodiumError) {
        try self.init(count: source.count)
        if let from = source.baseAddress, source.count > 0 {
            base.copyMemory(from: from, byteCount: source.count)
        }
    }

    /// Copies UTF-8 text into a new secure buffer; for values that already exist as a `String` (tests, imports).
    public convenience init(copyingUTF8 text: String) throws(SodiumError) {
        var copy = Array(text.utf8)
        defer { copy.withUnsafeMutableBytes { Sodium.wipe($0) } }
        try self.init(count: copy.count)
        copy.withUnsafeBytes { b in
            if let from = b.baseAddress, b.count > 0 { base.copyMemory(from: from, byteCount: b.count) }
        }
    }

    deinit {
        sodium_memzero(base, max(count, 1))
        sodium_free(base)
    }

    /// Lends the bytes read-only to `body`; the pointer must not escape it.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Lends the bytes writable to `body`; the pointer must not escape it.
    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// Constant-time comparison of the whole contents.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        withUnsafeBytes { a in other.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
    }
}
