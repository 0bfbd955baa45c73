internal import CSodium

/// X25519 public keys and anonymous sealed boxes (`crypto_box_seal`): what lets a writer give a new vault
/// key to a slot knowing only that slot's public key.
public enum SealedBox {
    /// `crypto_box_PUBLICKEYBYTES` (32).
    public static let publicKeyBytes = Int(crypto_box_PUBLICKEYBYTES)
    /// `crypto_box_SECRETKEYBYTES` (32).
    public static let secretKeyBytes = Int(crypto_box_SECRETKEYBYTES)
    /// `crypto_box_SEALBYTES` (48): ephemeral public key ‖ Poly1305 tag.
    public static let overheadBytes = Int(crypto_box_PUBLICKEYBYTES + crypto_box_MACBYTES) // crypto_box_SEALBYTES, a macro Swift cannot import

    /// The X25519 public key of a 32-byte secret scalar (`crypto_scalarmult_base`; RFC 7748 clamps it).
    public static func publicKey(secretKey: SecureBytes) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        guard secretKey.count == secretKeyBytes else {
            throw .invalidLength(what: "secret key", expected: secretKeyBytes, actual: secretKey.count)
        }
        var out = [UInt8](repeating: 0, count: publicKeyBytes)
        let status = out.withUnsafeMutableBytes { o in
            secretKey.withUnsafeBytes { s in
                crypto_scalarmult_base(o.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        // Fails only for a scalar whose public key is the identity, which clamping rules out.
        guard status == 0 else { throw .authenticationFailed }
        return out
    }

    /// Seals `message` to `publicKey`: a fresh ephemeral key pair each call, output `overheadBytes` longer.
    public static func seal(_ message: SecureBytes, to publicKey: [UInt8]) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        guard publicKey.count == publicKeyBytes else {
            throw .invalidLength(what: "public key", expected: publicKeyBytes, actual: publicKey.count)
        }
        var out = [UInt8](repeating: 0, count: message.count + overheadBytes)
        let status = out.withUnsafeMutableBytes { o in
            message.withUnsafeBytes { m in
                publicKey.withUnsafeBytes { p in
                    crypto_box_seal(
                        o.baseAddress!.assumingMemoryBound(to: UInt8.self), m.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        UInt64(m.count), p.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        // A public key of low order makes the shared secret all zero; libsodium refuses it.
        guard status == 0 else { throw .authenticationFailed }
        return out
    }

    /// Opens a sealed box with the recipient's key pair into a new secure buffer.
    public static func open(_ sealed: [UInt8], publicKey: [UInt8], secretKey: SecureBytes) throws(SodiumError) -> SecureBytes {
        try Sodium.ready()
        guard publicKey.count == publicKeyBytes, secretKey.count == secretKeyBytes else {
            throw .invalidLength(what: "key pair", expected: publicKeyBytes, actual: publicKey.count)
        }
        guard sealed.count >= overheadBytes else { throw .authenticationFailed }
        let out = try SecureBytes(count: sealed.count - overheadBytes)
        let status = out.withUnsafeMutableBytes { o in
            sealed.withUnsafeBytes { c in
                publicKey.withUnsafeBytes { p in
                    secretKey.withUnsafeBytes { s in
                        crypto_box_seal_open(
                            o.baseAddress!.assumingMemoryBound(to: UInt8.self), c.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            UInt64(c.count), p.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        guard status == 0 else { throw .authenticationFailed }
        return out
    }
}
