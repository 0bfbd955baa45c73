/// A secret value (password, private key, token) held in locked memory.
///
/// Secrets decoded from a vault are ranges of the one decrypted payload buffer, so opening a vault with
/// many entries costs one locked allocation, not one per secret. New secrets own a buffer of their own.
/// The buffer and range are private: a `Secret` lends its own bytes and nothing else of the buffer.
public struct Secret: @unchecked Sendable {
    // Both are immutable; SecureBytes is only read after construction.
    private let storage: SecureBytes
    private let range: Range<Int>

    /// A range of a shared secure buffer: many secrets, one locked allocation (a decoded payload, a
    /// request read from git, bulk imports, benchmarks).
    public init(slicing storage: SecureBytes, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.count)
        self.storage = storage
        self.range = range
    }

    /// Takes ownership of a secure buffer as a whole.
    public init(_ bytes: SecureBytes) {
        self.init(slicing: bytes, range: 0..<bytes.count)
    }

    /// Copies UTF-8 text into locked memory; for values that already exist as a `String` (tests, imports).
    public init(copying text: String) throws(SodiumError) {
        self.init(try SecureBytes(copyingUTF8: text))
    }

    /// Many texts in one locked buffer, a `Secret` each: an import of 20,000 secrets makes one allocation,
    /// not 20,000 (each `sodium_malloc` costs mappings, and `vm.max_map_count` caps them at about 65,000).
    public static func packing(_ texts: [String]) throws(SodiumError) -> [Secret] {
        let total = texts.reduce(0) { $0 + $1.utf8.count }
        let storage = try SecureBytes(count: total)
        var secrets: [Secret] = []
        secrets.reserveCapacity(texts.count)
        var offset = 0
        storage.withUnsafeMutableBytes { out in
            for text in texts {
                let start = offset
                for byte in text.utf8 {
                    out[offset] = byte
                    offset += 1
                }
                secrets.append(Secret(slicing: storage, range: start..<offset))
            }
        }
        return secrets
    }

    /// The bytes in a locked buffer of their own (a passphrase handed to the KDF, a frame's value).
    public func copied() throws(SodiumError) -> SecureBytes {
        try withUnsafeBytes { (b) throws(SodiumError) in try SecureBytes(copying: b) }
    }

    public var count: Int { range.count }
    public var isEmpty: Bool { range.isEmpty }

    /// Lends the secret's bytes to `body`; the pointer must not escape it.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try storage.withUnsafeBytes { (all) throws(E) -> R in
            try body(UnsafeRawBufferPointer(rebasing: all[range]))
        }
    }

    /// Constant-time equality of contents.
    public func constantTimeEquals(_ other: Secret) -> Bool {
        withUnsafeBytes { a in other.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
    }

    /// The secret as text, for the moment it is printed or handed to another program.
    public func revealed() -> String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the bytes are valid UTF-8: what JSON strings and the other text exports can carry without
    /// altering them. Checked in place, without a copy of the secret.
    public var isUTF8: Bool {
        withUnsafeBytes { bytes in
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }

    /// Whether the bytes are valid UTF-8 without control characters (what git and composer can carry).
    /// Control characters are single bytes, and no byte of a multi-byte sequence is below 0x80, so the
    /// bytes are checked in place: no copy of the secret outside locked memory.
    public var isPrintableText: Bool {
        isUTF8 && !withUnsafeBytes { $0.contains { $0 < 0x20 || $0 == 0x7F } }
    }
}
