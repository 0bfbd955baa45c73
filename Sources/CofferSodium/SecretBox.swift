internal import CSodium

/// XSalsa20-Poly1305 authenticated encryption (`crypto_secretbox_easy`): output is MAC (16) ‖ ciphertext.
public enum SecretBox {
    /// `crypto_secretbox_KEYBYTES` (32).
    public static let keyBytes = Int(crypto_secretbox_KEYBYTES)
    /// `crypto_secretbox_NONCEBYTES` (24).
    public static let nonceBytes = Int(crypto_secretbox_NONCEBYTES)
    /// `crypto_secretbox_MACBYTES` (16).
    public static let macBytes = Int(crypto_secretbox_MACBYTES)

    /// Encrypts `plaintext` (lent by the caller) and returns MAC ‖ ciphertext in ordinary memory.
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], key: SecureBytes
    ) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        try check(nonce: nonce, key: key)
        var output = [UInt8](repeating: 0, count: plaintext.count + macBytes)
        // An empty message still needs a valid pointer; one zero byte stands in.
        let placeholder: UInt8 = 0
        let status = withUnsafePointer(to: placeholder) { empty in
            output.withUnsafeMutableBytes { out in
                nonce.withUnsafeBytes { n in
                    key.withUnsafeBytes { k in
                        crypto_secretbox_easy(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty,
                            UInt64(plaintext.count),
                            n.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        precondition(status == 0, "crypto_secretbox_easy cannot fail with valid lengths")
        return output
    }

    /// Verifies and decrypts MAC ‖ ciphertext into a new secure buffer.
    public static func open(
        _ box: ArraySlice<UInt8>, nonce: [UInt8], key: SecureBytes
    ) throws(SodiumError) -> SecureBytes {
        try Sodium.ready()
        try check(nonce: nonce, key: key)
        guard box.count >= macBytes else { throw .authenticationFailed }
        // Every byte is written by the decryption, or the buffer is dropped.
        let plaintext = try SecureBytes(count: box.count - macBytes, zeroed: false)
        guard plaintext.withUnsafeMutableBytes({ out in decrypt(box, nonce: nonce, key: key, into: out) }) == 0 else { throw .authenticationFailed }
        return plaintext
    }

    /// The same into ordinary memory, for a plaintext that is no secret (a team member's name): a locked
    /// buffer costs an mmap, an mprotect and an mlock each.
    public static func openPublic(
        _ box: ArraySlice<UInt8>, nonce: [UInt8], key: SecureBytes
    ) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        try check(nonce: nonce, key: key)
        guard box.count >= macBytes else { throw .authenticationFailed }
        var plaintext = [UInt8](repeating: 0, count: box.count - macBytes)
        guard plaintext.withUnsafeMutableBytes({ out in decrypt(box, nonce: nonce, key: key, into: out) }) == 0 else { throw .authenticationFailed }
        return plaintext
    }

    /// `crypto_secretbox_open_easy` into `out` (checked sizes); 0 when the tag verified.
    private static func decrypt(_ box: ArraySlice<UInt8>, nonce: [UInt8], key: SecureBytes, into out: UnsafeMutableRawBufferPointer) -> Int32 {
        box.withUnsafeBytes { c in
                nonce.withUnsafeBytes { n in
                    key.withUnsafeBytes { k in
                        crypto_secretbox_open_easy(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            c.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            UInt64(c.count),
                            n.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
    }

    private static func check(nonce: [UInt8], key: SecureBytes) throws(SodiumError) {
        guard nonce.count == nonceBytes else {
            throw .invalidLength(what: "nonce", expected: nonceBytes, actual: nonce.count)
        }
        guard key.count == keyBytes else {
            throw .invalidLength(what: "key", expected: keyBytes, actual: key.count)
        }
    }
}
