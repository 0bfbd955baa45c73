import CofferSodium

/// How to unwrap the vault key.
public enum Unlock: Sendable {
    /// Runs Argon2id for each passphrase slot until one opens.
    case passphrase(SecureBytes)
    /// No KDF: the key file's slot key is tried against each key-file slot.
    case keyFile(KeyFile)
    /// A wrapping key derived earlier (`PassphraseSlot.deriveKey`), tried against every known slot.
    /// Lets tests and the agent open many files without running the KDF again.
    case slotKey(SecureBytes)
    /// The vault key itself, as the agent holds it: re-reads a file that another writer replaced.
    case vaultKey(SecureBytes)
}

/// An open vault: the vault key, the slot table and the decrypted entries.
public struct Vault: Sendable {
    public private(set) var slots: [Slot]
    let vaultKey: SecureBytes
    /// The entries; changing them makes the next `seal` encrypt a new payload.
    public var list: EntryList {
        didSet { sealedPayload = nil }
    }
    public var entries: [Entry] { list.entries }
    /// The payload as read, reused when only the slot table changes (`passwd` rewraps, it does not re-encrypt).
    private var sealedPayload: (nonce: [UInt8], box: ArraySlice<UInt8>)?

    // MARK: Creating and opening

    /// A new empty vault with one passphrase slot.
    public static func create(passphrase: SecureBytes, kdf: KDFParameters) throws(VaultError) -> Vault {
        let key: SecureBytes
        do { key = try SecureBytes.random(count: VaultFormat.vaultKeyBytes) } catch { throw .crypto(error) }
        let slot = try PassphraseSlot.wrap(vaultKey: key, passphrase: passphrase, kdf: kdf)
        return Vault(slots: [.passphrase(slot)], vaultKey: key, list: EntryList())
    }

    private init(slots: [Slot], vaultKey: SecureBytes, list: EntryList) {
        self.slots = slots
        self.vaultKey = vaultKey
        self.list = list
    }

    /// Opens a vault file: unwrap the vault key, verify the header MAC, decrypt and decode the payload.
    public static func open(_ bytes: [UInt8], with unlock: Unlock) throws(VaultError) -> Vault {
        try open(VaultFile(parsing: bytes), with: unlock)
    }

    public static func open(_ file: VaultFile, with unlock: Unlock) throws(VaultError) -> Vault {
        let key = try unwrapKey(file, unlock)
        let keys = try SubKeys(vaultKey: key)
        let expected = try keys.headerMAC(file.headerBytes, payloadNonce: file.payloadNonce)
        let authentic = expected.withUnsafeBytes { a in file.headerMAC.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
        guard authentic else { throw .headerTampered }
        let plaintext: SecureBytes
        do {
            plaintext = try SecretBox.open(file.payloadBox, nonce: file.payloadNonce, key: keys.payload)
        } catch .authenticationFailed {
            throw .payloadTampered
        } catch { throw .crypto(error) }
        var vault = Vault(slots: file.slots, vaultKey: key, list: try EntryList(decoding: plaintext))
        vault.sealedPayload = (file.payloadNonce, file.payloadBox)
        return vault
    }

    private static func unwrapKey(_ file: VaultFile, _ unlock: Unlock) throws(VaultError) -> SecureBytes {
        func tryUnwrap(_ kek: SecureBytes, _ slots: [Slot]) throws(VaultError) -> SecureBytes? {
            for slot in slots {
                guard let (nonce, box) = slot.wrapped else { continue }
                do {
                    let key = try SecretBox.open(box[...], nonce: nonce, key: kek)
                    if key.count == VaultFormat.vaultKeyBytes { return key }
                } catch .authenticationFailed {
                    continue
                } catch { throw .crypto(error) }
            }
            return nil
        }
        switch unlock {
        case .passphrase(let passphrase):
            let candidates = file.slots.filter { if case .passphrase = $0 { true } else { false } }
            guard !candidates.isEmpty else { throw .noSlot("passphrase") }
            for case .passphrase(let slot) in candidates {
                if let key = try tryUnwrap(try slot.deriveKey(passphrase: passphrase), [.passphrase(slot)]) { return key }
            }
            throw .wrongPassphrase
        case .keyFile(let keyFile):
            let candidates = file.slots.filter { if case .keyFile = $0 { true } else { false } }
            guard !candidates.isEmpty else { throw .noSlot("key-file") }
            let kek: SecureBytes
            do { kek = try keyFile.slotKey() } catch { throw .crypto(error) }
            if let key = try tryUnwrap(kek, candidates) { return key }
            throw .wrongKeyFile
        case .slotKey(let kek):
            if let key = try tryUnwrap(kek, file.slots) { return key }
            throw .wrongPassphrase
        case .vaultKey(let key):
            // No slot to unwrap: the header MAC decides whether this key belongs to the file.
            return key
        }
    }

    /// The same vault read again from `bytes` (another writer replaced the file), with the key this one
    /// holds; fails unless the file is authenticated by that key.
    public func reopened(_ bytes: [UInt8]) throws(VaultError) -> Vault {
        try Vault.open(bytes, with: .vaultKey(vaultKey))
    }

    // MARK: Saving

    /// The file to write: a fresh payload nonce when the entries changed, and a header MAC over the
    /// current slot table and that nonce.
    public mutating func seal() throws(VaultError) -> [UInt8] {
        let keys = try SubKeys(vaultKey: vaultKey)
        let payload: (nonce: [UInt8], box: ArraySlice<UInt8>)
        if let sealed = sealedPayload {
            payload = sealed
        } else {
            let plaintext = try list.encoded()
            do {
                let nonce = try Random.bytes(VaultFormat.nonceBytes)
                let box = try plaintext.withUnsafeBytes { (p) throws(SodiumError) in try SecretBox.seal(p, nonce: nonce, key: keys.payload) }
                payload = (nonce, box[...])
            } catch { throw .crypto(error) }
            sealedPayload = payload
        }
        let header = VaultFile.encodeHeader(slots)
        let mac = try keys.headerMAC(header, payloadNonce: payload.nonce)
        return header + mac + payload.nonce + payload.box
    }

    // MARK: Slots

    /// Replaces every passphrase slot with one for `passphrase` (new salt and nonce); entries untouched.
    public mutating func setPassphrase(_ passphrase: SecureBytes, kdf: KDFParameters) throws(VaultError) {
        let slot = try PassphraseSlot.wrap(vaultKey: vaultKey, passphrase: passphrase, kdf: kdf)
        let first = slots.firstIndex { if case .passphrase = $0 { true } else { false } } ?? slots.count
        var rest = slots
        rest.removeAll { if case .passphrase = $0 { true } else { false } }
        rest.insert(.passphrase(slot), at: min(first, rest.count))
        slots = rest
    }

    /// Adds a key-file slot; returns its id (its index in the table).
    @discardableResult
    public mutating func addKeyFileSlot(_ keyFile: KeyFile) throws(VaultError) -> Int {
        guard slots.count < VaultFormat.maxSlots else { throw .malformedHeader("the slot table is full (\(VaultFormat.maxSlots) slots)") }
        slots.append(.keyFile(try KeyFileSlot.wrap(vaultKey: vaultKey, keyFile: keyFile)))
        return slots.count - 1
    }

    /// Removes a slot by id; refuses to remove the last slot that can open the vault.
    public mutating func removeSlot(id: Int) throws(VaultError) {
        guard slots.indices.contains(id) else { throw .slotNotFound(id) }
        let usable = slots.enumerated().filter { $0.offset != id && $0.element.wrapped != nil }
        guard !usable.isEmpty else { throw .lastSlot }
        slots.remove(at: id)
    }

    /// Appends a slot of a type this version does not know (spec §3.3); for vectors and tests of skipping.
    mutating func appendUnknownSlot(type: UInt8, body: [UInt8]) {
        slots.append(.unknown(type: type, body: body))
    }

    // MARK: Entries

    /// Decodes every entry now (`EntryList.decodeAll`); the sealed payload is still the file's.
    public mutating func decodeAllEntries() {
        let sealed = sealedPayload
        list.decodeAll()
        sealedPayload = sealed
    }

    public func entry(named name: String) -> Entry? { list.entry(named: name) }
    public func contains(_ name: String) -> Bool { list.contains(name) }
    public mutating func add(_ entry: Entry) throws(VaultError) { try list.add(entry) }
    public mutating func update(_ name: String, _ change: (inout Entry) throws(VaultError) -> Void) throws(VaultError) {
        try list.update(name, change)
    }
    public mutating func remove(_ name: String) throws(VaultError) { try list.remove(name) }
}

/// Subkeys derived from the vault key with keyed BLAKE2b-256 (spec §4).
struct SubKeys {
    let headerMACKey: SecureBytes
    let payload: SecureBytes

    init(vaultKey: SecureBytes) throws(VaultError) {
        do {
            headerMACKey = try GenericHash.keyedHash(key: vaultKey, message: VaultFormat.headerMACLabel)
            payload = try GenericHash.keyedHash(key: vaultKey, message: VaultFormat.payloadKeyLabel)
        } catch { throw .crypto(error) }
    }

    /// BLAKE2b-256 keyed with the header MAC key over header bytes ‖ payload nonce.
    func headerMAC(_ header: [UInt8], payloadNonce: [UInt8]) throws(VaultError) -> [UInt8] {
        let mac = (header + payloadNonce).withUnsafeBytes { m in
            Result { () throws(SodiumError) in try GenericHash.mac(key: headerMACKey, message: m) }
        }
        do { return try mac.get() } catch { throw .crypto(error) }
    }
}
