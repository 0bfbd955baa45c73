internal import CSodium

/// BLAKE2b through `crypto_generichash`, keyed or not.
public enum GenericHash {
    /// `crypto_generichash_BYTES` (32).
    public static let defaultBytes = Int(crypto_generichash_BYTES)

    /// Keyed BLAKE2b of `message` under `key`, into a secure buffer (for derived subkeys).
    public static func keyedHash(
        key: SecureBytes, message: [UInt8], outputLength: Int = defaultBytes
    ) throws(SodiumError) -> SecureBytes {
        try Sodium.ready()
        let out = try SecureBytes(count: outputLength)
        message.withUnsafeBytes { m in
            out.withUnsafeMutableBytes { o in hash(into: o, message: m, key: key) }
        }
        return out
    }

    /// Keyed BLAKE2b of a message lent by the caller, into ordinary memory (for MAC tags).
    public static func mac(
        key: SecureBytes, message: UnsafeRawBufferPointer, outputLength: Int = defaultBytes
    ) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        var out = [UInt8](repeating: 0, count: outputLength)
        out.withUnsafeMutableBytes { o in hash(into: o, message: message, key: key) }
        return out
    }

    /// Unkeyed BLAKE2b of public bytes (a public key's fingerprint, a sealed box's nonce).
    public static func digest(_ message: [UInt8], outputLength: Int = defaultBytes) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        var out = [UInt8](repeating: 0, count: outputLength)
        out.withUnsafeMutableBytes { o in message.withUnsafeBytes { m in hash(into: o, message: m, key: nil) } }
        return out
    }

    private static func hash(into out: UnsafeMutableRawBufferPointer, message: UnsafeRawBufferPointer, key: SecureBytes?) {
        let status = key.map { key in
            key.withUnsafeBytes { k in
                crypto_generichash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
                    message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count)
            }
        } ?? crypto_generichash(
            out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count), nil, 0)
        precondition(status == 0, "crypto_generichash cannot fail with valid lengths")
    }
}
