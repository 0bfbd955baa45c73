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

    init(secretKey: SecureBytes, publicKey: [UInt8], authKey: SecureBytes) {
        self.secretKey = secretKey
        self.publicKey = publicKey
        self.authKey = authKey
    }

    /// What a member's identity opens its slot with (v2 §11.2): the identity's key pair and the auth key it
    /// shares with the slot's sealer.
    init(member identity: Identity, sealer: [UInt8]) throws(VaultError) {
        self.init(secretKey: identity.secretKey, publicKey: identity.publicKey,
                  authKey: try SlotKeys.memberAuthKey(identity, other: sealer, sealer: sealer, member: identity.publicKey))
    }

    /// `auth-key = H(X25519(own secret key, other's public key), label ‖ sealer ‖ member)`: the sealer and the
    /// member compute the same key, nobody else can.
    static func memberAuthKey(_ own: Identity, other: [UInt8], sealer: [UInt8], member: [UInt8]) throws(VaultError) -> SecureBytes {
        do {
            let shared = try KeyExchange.shared(secretKey: own.secretKey, publicKey: other)
            return try GenericHash.keyedHash(key: shared, message: VaultFormat.memberAuthKeyLabel + sealer + member)
        } catch .authenticationFailed {
            throw .invalidSlot("the member key is not a usable X25519 public key")
        } catch { throw .crypto(error) }
    }

    /// A member slot's recipient sealed and tagged by the writer `sealer` for `member`.
    static func memberRecipient(member: [UInt8], sealer: Identity, epoch: UInt64, vaultKey: SecureBytes, vaultID: [UInt8], id: UInt32) throws(VaultError) -> Slot.Recipient {
        let auth = try memberAuthKey(sealer, other: member, sealer: sealer.publicKey, member: member)
        return try recipient(publicKey: member, authKey: auth, vaultKey: vaultKey, vaultID: vaultID, id: id, type: VaultFormat.SlotType.member.rawValue,
                             extra: epochBytes(epoch))
    }

    /// A member slot's tag also covers its epoch: `… ‖ sealed-vault-key ‖ u64 epoch` (v2 §11.2).
    static func epochBytes(_ epoch: UInt64) -> [UInt8] { withUnsafeBytes(of: epoch.littleEndian) { Array($0) } }

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

    /// `slot-tag = H(auth-key, label ‖ vault-id ‖ u32 id ‖ u8 type ‖ public-key ‖ sealed-vault-key ‖ extra)`;
    /// `extra` is a member slot's epoch, empty for every other type.
    static func tag(authKey: SecureBytes, vaultID: [UInt8], id: UInt32, type: UInt8, _ r: Slot.Recipient, extra: [UInt8] = []) throws(VaultError) -> [UInt8] {
        var message = ByteWriter()
        message.append(VaultFormat.slotTagLabel)
        message.append(vaultID)
        message.append(id)
        message.append(type)
        message.append(r.publicKey)
        message.append(r.sealedKey)
        message.append(extra)
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
    static func recipient(publicKey: [UInt8], authKey: SecureBytes, vaultKey: SecureBytes, vaultID: [UInt8], id: UInt32, type: UInt8,
                          extra: [UInt8] = []) throws(VaultError) -> Slot.Recipient {
        let sealed: [UInt8]
        do { sealed = try SealedBox.seal(vaultKey, to: publicKey) } catch { throw .crypto(error) }
        var r = Slot.Recipient(publicKey: publicKey, sealedKey: sealed, tag: [])
        r.tag = try tag(authKey: authKey, vaultID: vaultID, id: id, type: type, r, extra: extra)
        return r
    }

    /// The vault key from a recipient this key pair belongs to; nil when it is another slot's key pair.
    /// A matching key with a wrong tag or a box that does not open is an altered header.
    func open(_ r: Slot.Recipient, vaultID: [UInt8], id: UInt32, type: UInt8, extra: [UInt8] = []) throws(VaultError) -> SecureBytes? {
        guard r.publicKey == publicKey else { return nil }
        let expected = try SlotKeys.tag(authKey: authKey, vaultID: vaultID, id: id, type: type, r, extra: extra)
        guard expected.withUnsafeBytes({ a in r.tag.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }) else { throw .headerTampered }
        let key: SecureBytes
        do { key = try SealedBox.open(r.sealedKey, publicKey: publicKey, secretKey: secretKey) } catch { throw .headerTampered }
        guard key.count == VaultFormat.vaultKeyBytes else { throw .headerTampered }
        return key
    }
}

/// A slot's label and creation time, and the auth key a re-keying writer needs to tag the slot (v2 §3.3);
/// for a member slot (§11.2) the member's name and who added them instead of an auth key. Sealed under a key
/// derived from the vault key: not readable without it.
public struct SlotInfo: Sendable {
    /// A member slot's label is the member's name.
    public var label: String
    /// Unix seconds; 0 when unknown (a slot carried over from a version-1 file).
    public var created: Int64
    /// Nil for a format-1 slot (it has no key pair to tag) and a member slot (its tag key is shared).
    var authKey: SecureBytes?
    /// A member slot's: the name of the member who added it (empty when unknown).
    public var addedBy: String?

    /// Created, label length, label padded with zero bytes, then the auth key (zero for a format-1 slot), or
    /// for a member slot the adder's length and name padded likewise.
    /// In locked memory: it holds the auth key.
    func plaintext() throws(VaultError) -> SecureBytes {
        let out: SecureBytes
        do { out = try SecureBytes(count: VaultFormat.slotInfoBytes) } catch { throw .crypto(error) }
        out.withUnsafeMutableBytes { write(into: $0) }
        return out
    }

    /// A member slot's, which holds no secret, in ordinary memory (a team of 50 would otherwise cost 50
    /// locked buffers, each an mmap, mprotect and mlock, at every write).
    func memberPlaintext() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: VaultFormat.memberInfoBytes)
        out.withUnsafeMutableBytes { write(into: $0) }
        return out
    }

    private func write(into o: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes(of: created.littleEndian) { for (i, b) in $0.enumerated() { o[i] = b } }
        SlotInfo.put(label, at: 8, into: o)
        if let addedBy {
            SlotInfo.put(addedBy, at: 9 + VaultFormat.maxLabelBytes, into: o)
        } else {
            authKey?.withUnsafeBytes { k in for (i, b) in k.enumerated() { o[9 + VaultFormat.maxLabelBytes + i] = b } }
        }
    }

    /// A length byte and the text padded with zeros to 64 bytes.
    private static func put(_ text: String, at offset: Int, into o: UnsafeMutableRawBufferPointer) {
        let bytes = Array(text.utf8)
        o[offset] = UInt8(bytes.count)
        for (i, b) in bytes.enumerated() { o[offset + 1 + i] = b }
    }

    /// A length byte and a label at `offset`: nil when it breaks the label rule or its padding is not zero.
    private static func take(_ p: UnsafeRawBufferPointer, at offset: Int) -> String? {
        let length = Int(p[offset])
        guard length <= VaultFormat.maxLabelBytes else { return nil }
        let label = UnsafeRawBufferPointer(rebasing: p[(offset + 1)..<(offset + 1 + length)])
        guard p[(offset + 1 + length)..<(offset + 1 + VaultFormat.maxLabelBytes)].allSatisfy({ $0 == 0 }), isValidLabel(bytes: label) else { return nil }
        return String(decoding: label, as: UTF8.self)
    }

    init(label: String, created: Int64, authKey: SecureBytes?, addedBy: String? = nil) {
        self.label = label
        self.created = created
        self.authKey = authKey
        self.addedBy = addedBy
    }

    /// Parses an opened info box; `legacy` slots carry a zero auth key, which is not kept; a `member` slot's
    /// info has the adder's name in its place.
    init(plaintext: SecureBytes, legacy: Bool) throws(VaultError) {
        self = try plaintext.withUnsafeBytes { (p) throws(VaultError) in try SlotInfo(bytes: p, legacy: legacy, member: false) }
    }

    init(memberPlaintext: [UInt8]) throws(VaultError) {
        let parsed = memberPlaintext.withUnsafeBytes { p in Result { () throws(VaultError) in try SlotInfo(bytes: p, legacy: false, member: true) } }
        self = try parsed.get()
    }

    private init(bytes p: UnsafeRawBufferPointer, legacy: Bool, member: Bool) throws(VaultError) {
        let size = member ? VaultFormat.memberInfoBytes : VaultFormat.slotInfoBytes
        guard p.count == size else { throw .malformedHeader("a slot info is \(p.count) bytes") }
        let parsed = (Int64(littleEndian: p.loadUnaligned(as: Int64.self)), SlotInfo.take(p, at: 8),
                      member ? SlotInfo.take(p, at: 9 + VaultFormat.maxLabelBytes) : "")
        guard let label = parsed.1, let adder = parsed.2 else { throw .malformedHeader("a slot label breaks the label rule") }
        self.label = label
        created = parsed.0
        if member {
            guard !label.isEmpty else { throw .malformedHeader("a member slot has no name") }
            addedBy = adder
            authKey = nil
        } else if legacy {
            authKey = nil
        } else {
            do { authKey = try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: p[(9 + VaultFormat.maxLabelBytes)...])) } catch { throw .crypto(error) }
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
