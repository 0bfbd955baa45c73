internal import CSodium

/// Raw X25519 (`crypto_scalarmult`): the shared secret of two key pairs, which either side computes from
/// its secret key and the other's public key. Team vaults use it to tag a member's slot (vault-v4 §3.6).
public enum KeyExchange {
    /// `crypto_scalarmult_BYTES` (32).
    public static let sharedBytes = Int(crypto_scalarmult_BYTES)

    /// X25519(secretKey, publicKey) into a secure buffer. libsodium refuses a public key of low order
    /// (the result would be all zeros): `authenticationFailed`.
    public static func shared(secretKey: SecureBytes, publicKey: [UInt8]) throws(SodiumError) -> SecureBytes {
        try Sodium.ready()
        guard secretKey.count == SealedBox.secretKeyBytes else {
            throw .invalidLength(what: "secret key", expected: SealedBox.secretKeyBytes, actual: secretKey.count)
        }
        guard publicKey.count == SealedBox.publicKeyBytes else {
            throw .invalidLength(what: "public key", expected: SealedBox.publicKeyBytes, actual: publicKey.count)
        }
        let out = try SecureBytes(count: sharedBytes)
        let status = out.withUnsafeMutableBytes { o in
            secretKey.withUnsafeBytes { s in
                publicKey.withUnsafeBytes { p in
                    crypto_scalarmult(o.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                      p.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        guard status == 0 else { throw .authenticationFailed }
        return out
    }
}
