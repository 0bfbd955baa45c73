import CofferSodium

/// What a slot's holder derives from the slot's secret (v2 §3.1): the X25519 key pair the vault key is
/// sealed to, and the key that tags the sealed vault key so nobody who never held a key of this vault can
/// seal one of their own to the slot.
struct SlotKeys {
    let secretKey: SecureBytes
    let publicKey: [UInt8]
    let authKey: SecureBytes

    /// `slot-secret`: the Argon2id output, or the key file's keyed hash.
    init(slotSecret: SecureBytes) throws(VaultError) {
        do {
            secretKey = try GenericHash.keyedHash(key: slotSecret, message: VaultFormat.slotSecretKeyLabel)
            publicKey = try SealedBox.publicKey(secretKey: secretKey)
            authKey = try GenericHash.keyedHash(key: slotSecret, message: VaultFormat.slotAuthKeyLabel)
        } catch { throw .crypto(error) }
    }

    /// A passphrase slot's secret: Argon2id of the passphrase (the slow step of unlocking).
    static func passphraseSecret(_ passphrase: SecureBytes, kdf: KDFParameters, salt: [UInt8]) throws(VaultError) -> SecureBytes {
        do {
            return try PasswordHash.deriveKey(passphrase: passphrase, salt: salt, opsLimit: kdf.opsLimit, memLimit: kdf.memLimit)
        } catch { throw .crypto(error) }
    }

    /// A key-file slot's secret: BLAKE2b-256 keyed with the file's key over the label and the slot's salt.
    static func keyFileSecret(_ keyFile: KeyFile, salt: [UInt8]) throws(VaultError) -> SecureBytes {
        do { return try GenericHash.keyedHash(key: keyFile.key, message: VaultFormat.keyFileSlotLabel + salt) } catch { throw .crypto(error) }
    }

    /// `slot-tag = H(auth-key, label ‖ vault-id ‖ u32 id ‖ u8 type ‖ public-key ‖ sealed-vault-key)`.
    static func tag(authKey: SecureBytes, vaultID: [UInt8], id: UInt32, type: UInt8, _ r: Slot.Recipient) throws(VaultError) -> [UInt8] {
        var message = ByteWriter()
        message.append(VaultFormat.slotTagLabel)
        message.append(vaultID)
        message.append(id)
        message.append(type)
        message.append(r.publicKey)
        message.append(r.sealedKey)
        let mac = message.bytes.withUnsafeBytes { m in
            Result { () throws(SodiumError) in try GenericHash.mac(key: authKey, message: m) }
        }
        do { return try mac.get() } catch { throw .crypto(error) }
    }

    /// A recipient for `vaultKey`: sealed to this key pair and tagged.
    func recipient(vaultKey: SecureBytes, vaultID: [UInt8], id: UInt32, type: UInt8) throws(VaultError) -> Slot.Recipient {
        try SlotKeys.recipient(publicKey: publicKey, authKey: authKey, vaultKey: vaultKey, vaultID: vaultID, id: id, type: type)
    }

    /// The same, by a writer that holds only the public key and (from the slot's info) the auth key.
    static func recipient(publicKey: [UInt8], authKey: SecureBytes, vaultKey: SecureBytes, vaultID: [UInt8], id: UInt32, type: UInt8) throws(VaultError) -> Slot.Recipient {
        let sealed: [UInt8]
        do { sealed = try SealedBox.seal(vaultKey, to: publicKey) } catch { throw .crypto(error) }
        var r = Slot.Recipient(publicKey: publicKey, sealedKey: sealed, tag: [])
        r.tag = try tag(authKey: authKey, vaultID: vaultID, id: id, type: type, r)
        return r
    }

    /// The vault key from a recipient this key pair belongs to; nil when it is another slot's key pair.
    /// A matching key with a wrong tag or a box that does not open is an altered header.
    func open(_ r: Slot.Recipient, vaultID: [UInt8], id: UInt32, type: UInt8) throws(VaultError) -> SecureBytes? {
        guard r.publicKey == publicKey else { return nil }
        let expected = try SlotKeys.tag(authKey: authKey, vaultID: vaultID, id: id, type: type, r)
        guard expected.withUnsafeBytes({ a in r.tag.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }) else { throw .headerTampered }
        let key: SecureBytes
        do { key = try SealedBox.open(r.sealedKey, publicKey: publicKey, secretKey: secretKey) } catch { throw .headerTampered }
        guard key.count == VaultFormat.vaultKeyBytes else { throw .headerTampered }
        return key
    }
}

/// A slot's label and creation time, and the auth key a re-keying writer needs to tag the slot (v2 §3.3).
/// Sealed under a key derived from the vault key: not readable without it.
public struct SlotInfo: Sendable {
    public var label: String
    /// Unix seconds; 0 when unknown (a slot carried over from a version-1 file).
    public var created: Int64
    /// Nil for a format-1 slot: it has no key pair to tag.
    var authKey: SecureBytes?

    /// Created, label length, label padded with zero bytes, auth key (zero for a format-1 slot).
    func plaintext() throws(VaultError) -> SecureBytes {
        let out: SecureBytes
        do { out = try SecureBytes(count: VaultFormat.slotInfoBytes) } catch { throw .crypto(error) }
        let label = Array(self.label.utf8)
        out.withUnsafeMutableBytes { o in
            withUnsafeBytes(of: created.littleEndian) { for (i, b) in $0.enumerated() { o[i] = b } }
            o[8] = UInt8(label.count)
            for (i, b) in label.enumerated() { o[9 + i] = b }
            authKey?.withUnsafeBytes { k in for (i, b) in k.enumerated() { o[9 + VaultFormat.maxLabelBytes + i] = b } }
        }
        return out
    }

    init(label: String, created: Int64, authKey: SecureBytes?) {
        self.label = label
        self.created = created
        self.authKey = authKey
    }

    /// Parses an opened info box; `legacy` slots carry a zero auth key, which is not kept.
    init(plaintext: SecureBytes, legacy: Bool) throws(VaultError) {
        guard plaintext.count == VaultFormat.slotInfoBytes else { throw .malformedHeader("a slot info is \(plaintext.count) bytes") }
        let parsed = plaintext.withUnsafeBytes { p -> (Int64, String?, Bool) in
            let created = Int64(littleEndian: p.loadUnaligned(as: Int64.self))
            let length = Int(p[8])
            guard length <= VaultFormat.maxLabelBytes else { return (created, nil, false) }
            let label = UnsafeRawBufferPointer(rebasing: p[9..<(9 + length)])
            let padding = p[(9 + length)..<(9 + VaultFormat.maxLabelBytes)].allSatisfy { $0 == 0 }
            return (created, SlotInfo.isValidLabel(bytes: label) ? String(decoding: label, as: UTF8.self) : nil, padding)
        }
        guard let label = parsed.1, parsed.2 else { throw .malformedHeader("a slot label breaks the label rule") }
        self.label = label
        created = parsed.0
        if legacy {
            authKey = nil
        } else {
            do {
                authKey = try plaintext.withUnsafeBytes { (p) throws(SodiumError) in
                    try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: p[(9 + VaultFormat.maxLabelBytes)...]))
                }
            } catch { throw .crypto(error) }
        }
    }

    /// 0 to 64 bytes of UTF-8 without control characters (C0, DEL, C1).
    public static func isValidLabel(bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= VaultFormat.maxLabelBytes, let text = String(validating: bytes, as: UTF8.self) else { return false }
        return !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    public static func isValidLabel(_ label: String) -> Bool {
        Array(label.utf8).withUnsafeBytes { isValidLabel(bytes: $0) }
    }
}
