internal import CSodium

/// Argon2id through `crypto_pwhash` with `crypto_pwhash_ALG_ARGON2ID13`.
public enum PasswordHash {
    /// `crypto_pwhash_ALG_ARGON2ID13`.
    public static let algorithmArgon2id13 = UInt8(crypto_pwhash_ALG_ARGON2ID13)
    /// `crypto_pwhash_SALTBYTES` (16).
    public static let saltBytes = Int(crypto_pwhash_SALTBYTES)
    /// libsodium's named levels for Argon2id.
    public static let opsLimitInteractive = UInt64(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE)
    public static let memLimitInteractive = UInt64(crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE)
    public static let opsLimitModerate = UInt64(crypto_pwhash_argon2id_OPSLIMIT_MODERATE)
    public static let memLimitModerate = UInt64(crypto_pwhash_argon2id_MEMLIMIT_MODERATE)
    public static let opsLimitSensitive = UInt64(crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE)
    public static let memLimitSensitive = UInt64(crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)

    /// How many derivations this process has run: the slow, memory-hard step every command should run at
    /// most once (the CLI reports it to the test suite through `COFFER_TEST_KDF_LOG`). Commands are single
    /// threaded; the agent never derives after it has unlocked.
    nonisolated(unsafe) public private(set) static var derivations = 0

    /// Derives `outputLength` bytes from a passphrase with Argon2id v1.3.
    ///
    /// The caller validates `opsLimit` and `memLimit` against its own policy before calling: this runs
    /// whatever it is given, and a large `memLimit` allocates that much.
    public static func deriveKey(
        outputLength: Int = 32,
        passphrase: SecureBytes,
        salt: [UInt8],
        opsLimit: UInt64,
        memLimit: UInt64
    ) throws(SodiumError) -> SecureBytes {
        try Sodium.ready()
        guard salt.count == saltBytes else {
            throw .invalidLength(what: "salt", expected: saltBytes, actual: salt.count)
        }
        guard memLimit <= UInt64(Int.max) else { throw .keyDerivationFailed }
        derivations += 1
        let key = try SecureBytes(count: outputLength)
        let status = key.withUnsafeMutableBytes { out in
            passphrase.withUnsafeBytes { pass in
                salt.withUnsafeBytes { saltBuffer in
                    // SecureBytes never hands out a null base, so an empty passphrase is still a valid pointer.
                    crypto_pwhash(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(out.count),
                        pass.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(pass.count),
                        saltBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        opsLimit, Int(memLimit), crypto_pwhash_ALG_ARGON2ID13)
                }
            }
        }
        guard status == 0 else { throw .keyDerivationFailed }
        return key
    }
}
