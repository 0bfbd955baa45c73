internal import CSodium

/// Failures of the libsodium layer. Callers above convert them to their own errors.
public enum SodiumError: Error, Equatable, CustomStringConvertible {
    /// `sodium_init()` failed; nothing else can be trusted to work.
    case initializationFailed
    /// `sodium_malloc` returned NULL (out of memory or address space).
    case allocationFailed(bytes: Int)
    /// `crypto_pwhash` refused the parameters or ran out of memory.
    case keyDerivationFailed
    /// A `crypto_secretbox` tag did not verify: wrong key or altered bytes.
    case authenticationFailed
    /// An argument had the wrong length for the primitive.
    case invalidLength(what: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .initializationFailed: "libsodium could not be initialised"
        case .allocationFailed(let bytes): "could not allocate \(bytes) bytes of locked memory"
        case .keyDerivationFailed: "key derivation failed (not enough memory?)"
        case .authenticationFailed: "authentication failed"
        case .invalidLength(let what, let expected, let actual): "\(what) must be \(expected) bytes, not \(actual)"
        }
    }
}

/// Process-wide libsodium initialisation. Every entry point of this module calls `Sodium.ready()` first.
public enum Sodium {
    private static let status: Int32 = sodium_init()

    /// Initialises libsodium once; `sodium_init` is itself thread-safe and idempotent.
    public static func ready() throws(SodiumError) {
        // 0: initialised now, 1: already initialised; -1: failure.
        if status < 0 { throw .initializationFailed }
    }

    /// Compares two byte ranges in constant time with respect to their contents.
    public static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return sodium_memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// Wipes a buffer that is not owned by `SecureBytes` (a stack copy, a read buffer).
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }
}
