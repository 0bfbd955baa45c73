import CofferSodium

/// How to obtain the vault key.
public enum Unlock: Sendable {
    /// Runs Argon2id for each passphrase slot, in table order, until one opens.
    case passphrase(SecureBytes)
    /// No KDF: the key file is tried against each key-file slot.
    case keyFile(KeyFile)
    /// A slot's secret derived earlier (the Argon2id output of a passphrase slot), tried against every
    /// known slot. Lets tests, benchmarks and the agent open files again without running the KDF.
    case slotKey(SecureBytes)
    /// The vault key itself, as the agent holds it: re-reads a file that another writer replaced.
    case vaultKey(SecureBytes)
    /// A member's identity (version 4): no KDF; its member slot, found by public key, opens (v2 §11.2).
    case identity(Identity)
}

/// One line of `coffer member list`.
public struct MemberSummary: Sendable, Equatable {
    public let slotID: UInt32
    public let name: String
    public let publicKey: [UInt8]
    /// Unix seconds.
    public let added: Int64
    /// The name of the member who added this one ("" when unknown).
    public let addedBy: String

    public var fingerprint: String { Identity.fingerprint(publicKey) }

    public init(slotID: UInt32, name: String, publicKey: [UInt8], added: Int64, addedBy: String) {
        self.slotID = slotID
        self.name = name
        self.publicKey = publicKey
        self.added = added
        self.addedBy = addedBy
    }
}

/// One line of `coffer slot list`.
public struct SlotSummary: Sendable, Equatable {
    public let id: UInt32
    /// `passphrase`, `key-file`, or `unknown-N`.
    public let type: String
    public let label: String
    /// Unix seconds; nil when unknown (a slot from a version-1 file, or a type this version does not know).
    public let created: Int64?
    /// A format-1 slot, which a re-key cannot keep (v2 §3.4).
    public let legacy: Bool

    public init(id: UInt32, type: String, label: String, created: Int64?, legacy: Bool) {
        self.id = id
        self.type = type
        self.label = label
        self.created = created
        self.legacy = legacy
    }
}

/// An open vault: the vault key, the slot table with each slot's info, and the decrypted entries.
public struct Vault: Sendable {
    public private(set) var slots: [Slot]
    /// Slot infos by slot id, decrypted (v2 §3.3).
    var infos: [UInt32: SlotInfo]
    /// Empty until a vault read from a version-1 file is first written.
    private(set) var vaultID: [UInt8]
    /// Of the file read; the next `seal` writes one more.
    public private(set) var generation: UInt64
    private(set) var nextSlotID: UInt32
    /// The epoch new member slots get (`keyEpoch` of the file read, one more after a re-key).
    private var epoch: UInt64 = 0
    private(set) var vaultKey: SecureBytes
    /// The version of the file this vault was read from; every write is version 2.
    public let readVersion: UInt16
    /// The slot this vault was unlocked through, and what is needed to turn it into a version-2 slot.
    private(set) var opener: Opener?
    /// The entries; changing them makes the next `seal` encrypt a new payload.
    public var list: EntryList {
        didSet { sealedPayload = nil }
    }
    public var entries: [Entry] { list.entries }
    /// The payload as read (or last written) under the current vault key, reused when only the slot table
    /// changes. Nil after a change of entries or of the vault key.
    private var sealedPayload: (nonce: [UInt8], box: ArraySlice<UInt8>)?

    /// The slot a command was unlocked with: its id, and its version-2 slot secret (nil when a format-1
    /// slot was opened with something it cannot be converted from, a version-1 key-file key alone).
    struct Opener: Sendable {
        let slotID: UInt32
        var secret: SecureBytes?
        /// For a format-1 key-file slot: the salt `secret` was derived with, for its version-2 body.
        var salt: [UInt8]? = nil
        /// The auth key derived while opening a version-2 slot, kept for the check of its info (one X25519
        /// operation fewer).
        var authKey: SecureBytes? = nil
        /// A member slot's identity: what seals the vault key to every member slot when this writer re-keys.
        var identity: Identity? = nil
    }

    /// The id of the slot this vault was unlocked with; nil when opened with the vault key.
    public var unlockedSlotID: UInt32? { opener?.slotID }

    /// The vault's id (16 bytes; empty for a vault read from a version-1 file and not yet written).
    public var id: [UInt8] { vaultID }

    /// Member slots (version 4), in table order.
    public var members: [MemberSummary] {
        slots.compactMap { slot in
            guard let key = slot.memberKey, let info = infos[slot.id] else { return nil }
            return MemberSummary(slotID: slot.id, name: info.label, publicKey: key, added: info.created, addedBy: info.addedBy ?? "")
        }
    }

    /// For a vault opened with an identity: the public key of the identity that sealed this member's vault
    /// key. The member trusts the file as far as it trusts that sealer (v2 §11.5).
    public var openedSealer: [UInt8]? {
        guard let identity = opener?.identity else { return nil }
        return memberSlot(of: identity.publicKey)?.sealer
    }

    /// The sealer and epoch of the member slot holding `publicKey`.
    public func memberSlot(of publicKey: [UInt8]) -> (sealer: [UInt8], epoch: UInt64)? {
        for slot in slots { if case .member(let sealer, let epoch, let r) = slot.body, r.publicKey == publicKey { return (sealer, epoch) } }
        return nil
    }

    /// The number of the vault key (version 4, v2 §11.2): every member slot holds it; 0 without one.
    public var keyEpoch: UInt64 {
        for slot in slots { if case .member(_, let epoch, _) = slot.body { return epoch } }
        return 0
    }

    /// `H(V, "coffer/v4/key-check")`: what a member remembers of the vault key, which reveals nothing of it.
    public var keyCheck: [UInt8] {
        get throws(VaultError) {
            let mac = VaultFormat.keyCheckLabel.withUnsafeBytes { m in Result { () throws(SodiumError) in try GenericHash.mac(key: vaultKey, message: m) } }
            do { return try mac.get() } catch { throw .crypto(error) }
        }
    }

    public var slotSummaries: [SlotSummary] {
        slots.map { slot in
            let info = infos[slot.id]
            let created = info.flatMap { $0.created == 0 ? nil : $0.created }
            return SlotSummary(id: slot.id, type: slot.typeName, label: info?.label ?? "", created: created, legacy: slot.isLegacy)
        }
    }

    // MARK: Creating and opening

    /// A new empty vault with one passphrase slot, id 0.
    public static func create(passphrase: SecureBytes, kdf: KDFParameters, label: String = "", now: Int64 = WallClock.now()) throws(VaultError) -> Vault {
        try kdf.validate()
        try checkLabel(label)
        var vault = try Vault.empty(opener: nil)
        let secret = try vault.appendPassphraseSlot(passphrase, kdf: kdf, label: label, now: now)
        vault.opener = Opener(slotID: 0, secret: secret)
        return vault
    }

    /// No slot, no entry: a fresh random vault key and vault id, for `create` and `createTeam`.
    private static func empty(opener: Opener?) throws(VaultError) -> Vault {
        let key: SecureBytes, vaultID: [UInt8]
        do {
            key = try SecureBytes.random(count: VaultFormat.vaultKeyBytes)
            vaultID = try Random.bytes(VaultFormat.vaultIDBytes)
        } catch { throw .crypto(error) }
        return Vault(slots: [], infos: [:], vaultID: vaultID, generation: 0, nextSlotID: 0, vaultKey: key,
                     readVersion: VaultFormat.version, opener: opener, list: EntryList())
    }

    private init(slots: [Slot], infos: [UInt32: SlotInfo], vaultID: [UInt8], generation: UInt64, nextSlotID: UInt32,
                 vaultKey: SecureBytes, readVersion: UInt16, opener: Opener?, list: EntryList) {
        self.slots = slots
        self.infos = infos
        self.vaultID = vaultID
        self.generation = generation
        self.nextSlotID = nextSlotID
        self.vaultKey = vaultKey
        self.readVersion = readVersion
        self.opener = opener
        self.list = list
    }

    /// Opens a vault file: obtain the vault key, verify the header MAC, decrypt the slot infos and the payload.
    public static func open(_ bytes: [UInt8], with unlock: Unlock) throws(VaultError) -> Vault {
        try open(VaultFile(parsing: bytes), with: unlock)
    }

    public static func open(_ file: VaultFile, with unlock: Unlock) throws(VaultError) -> Vault {
        let (key, opener) = try unwrapKey(file, unlock)
        let v1 = file.version == VaultFormat.versionV1
        let keys = try SubKeys(vaultKey: key, version: file.version)
        let expected = try keys.headerMAC(file.headerBytes, payloadNonce: file.payloadNonce)
        let authentic = expected.withUnsafeBytes { a in file.headerMAC.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
        guard authentic else { throw .headerTampered }
        var infos: [UInt32: SlotInfo] = [:]
        for slot in file.slots where slot.isKnown {
            if v1 {
                infos[slot.id] = SlotInfo(label: "", created: 0, authKey: nil)
                continue
            }
            guard let sealed = slot.sealedInfo else { continue }
            let box = sealed[VaultFormat.nonceBytes...], nonce = Array(sealed[..<VaultFormat.nonceBytes])
            let plaintext: InfoPlaintext
            do {
                plaintext = slot.isMember ? .member(try SecretBox.openPublic(box, nonce: nonce, key: keys.slotInfo))
                    : .secret(try SecretBox.open(box, nonce: nonce, key: keys.slotInfo))
            } catch .authenticationFailed {
                throw .malformedHeader("the info of slot \(slot.id) does not open")
            } catch { throw .crypto(error) }
            infos[slot.id] = try plaintext.info(legacy: slot.isLegacy)
        }
        // The info of the slot that opened must hold that slot's own auth key: a wrong one would make the
        // next re-key tag this slot so that it never opens again (v2 §6 rule 15b).
        if let opener, let secret = opener.secret, let slot = file.slots.first(where: { $0.id == opener.slotID }), slot.recipient != nil {
            let derived: SecureBytes
            if let known = opener.authKey { derived = known } else { derived = try SlotKeys(slotSecret: secret).authKey }
            guard let stored = infos[slot.id]?.authKey, stored.constantTimeEquals(derived) else {
                throw .malformedHeader("the info of slot \(slot.id) holds another auth key than the slot's own")
            }
        }
        let plaintext: SecureBytes
        do {
            plaintext = try SecretBox.open(file.payloadBox, nonce: file.payloadNonce, key: keys.payload)
        } catch .authenticationFailed {
            throw .payloadTampered
        } catch { throw .crypto(error) }
        try checkMemberNames(file.slots, infos)
        var vault = Vault(slots: file.slots, infos: infos, vaultID: v1 ? [] : file.vaultID, generation: file.generation,
                          nextSlotID: file.nextSlotID, vaultKey: key, readVersion: file.version, opener: opener,
                          list: try EntryList(decoding: plaintext, version: file.version))
        // A payload of an older version is written again at the first write: a version-1 one is under a
        // version-1 key, and entries of versions before 4 have no ids in the file.
        if file.version >= 4 { vault.sealedPayload = (file.payloadNonce, file.payloadBox) }
        vault.epoch = vault.keyEpoch
        return vault
    }

    /// Member names are unique among member slots (v2 §11.2), as are their public keys.
    private static func checkMemberNames(_ slots: [Slot], _ infos: [UInt32: SlotInfo]) throws(VaultError) {
        var names = Set<String>(), keys = Set<[UInt8]>()
        for slot in slots {
            guard let key = slot.memberKey, let name = infos[slot.id]?.label else { continue }
            guard names.insert(name).inserted else { throw .malformedHeader("two member slots are named '\(name)'") }
            guard keys.insert(key).inserted else { throw .malformedHeader("two member slots hold the same public key") }
        }
        let epochs = Set(slots.compactMap { slot -> UInt64? in if case .member(_, let e, _) = slot.body { return e } else { return nil } })
        guard epochs.count <= 1 else { throw .malformedHeader("the member slots hold different key epochs") }
    }

    private static func unwrapKey(_ file: VaultFile, _ unlock: Unlock) throws(VaultError) -> (SecureBytes, Opener?) {
        switch unlock {
        case .passphrase(let passphrase):
            let candidates = file.slots.filter(\.isPassphrase)
            guard !candidates.isEmpty else { throw .noSlot("passphrase") }
            // Version-2 slots derive from the NFC form, format-1 slots from the bytes as typed (v2 §3.1).
            let normalized = try Passphrase.normalized(passphrase)
            guard normalized != nil || candidates.contains(where: \.isLegacy) else { throw .invalidPassphrase("the passphrase is not UTF-8 text") }
            for slot in candidates {
                guard let kdf = slot.kdf, let salt = slot.passphraseSalt else { continue }
                if slot.isLegacy {
                    let secret = try SlotKeys.passphraseSecret(passphrase, kdf: kdf, salt: salt)
                    var unused: SecureBytes?
                    guard let key = try open(slot, secret: secret, file, authKey: &unused) else { continue }
                    // The wrapping key is the same Argon2id output as the secret of the version-2 slot it
                    // becomes, unless normalizing changed the bytes: then one more derivation, now.
                    var converted: SecureBytes? = nil
                    if let normalized {
                        converted = normalized === passphrase || normalized.constantTimeEquals(passphrase)
                            ? secret : try SlotKeys.passphraseSecret(normalized, kdf: kdf, salt: salt)
                    }
                    return (key, Opener(slotID: slot.id, secret: converted))
                }
                guard let normalized else { continue }
                let secret = try SlotKeys.passphraseSecret(normalized, kdf: kdf, salt: salt)
                var auth: SecureBytes?
                if let key = try open(slot, secret: secret, file, authKey: &auth) { return (key, Opener(slotID: slot.id, secret: secret, authKey: auth)) }
            }
            throw .wrongPassphrase
        case .keyFile(let keyFile):
            let candidates = file.slots.filter(\.isKeyFile)
            guard !candidates.isEmpty else { throw .noSlot("key-file") }
            for slot in candidates {
                switch slot.body {
                case .keyFile(let salt, _):
                    let secret = try SlotKeys.keyFileSecret(keyFile, salt: salt)
                    var auth: SecureBytes?
                if let key = try open(slot, secret: secret, file, authKey: &auth) { return (key, Opener(slotID: slot.id, secret: secret, authKey: auth)) }
                case .legacyKeyFile:
                    var unused: SecureBytes?
                    if let key = try open(slot, secret: try keyFile.v1SlotKey(), file, authKey: &unused) {
                        let salt: [UInt8]
                        do { salt = try Random.bytes(VaultFormat.saltBytes) } catch { throw .crypto(error) }
                        return (key, Opener(slotID: slot.id, secret: try SlotKeys.keyFileSecret(keyFile, salt: salt), salt: salt))
                    }
                default: continue
                }
            }
            throw .wrongKeyFile
        case .slotKey(let secret):
            for slot in file.slots where slot.isKnown {
                var auth: SecureBytes?
                if let key = try open(slot, secret: secret, file, authKey: &auth) {
                    // A format-1 slot's wrapping key comes from the bytes as typed, not the NFC form a
                    // version-2 slot derives from: it converts nothing.
                    return (key, Opener(slotID: slot.id, secret: slot.isLegacy ? nil : secret, authKey: auth))
                }
            }
            throw .wrongPassphrase
        case .vaultKey(let key):
            // No slot to open: the header MAC decides whether this key belongs to the file.
            return (key, nil)
        case .identity(let identity):
            guard let slot = file.slots.first(where: { $0.memberKey == identity.publicKey }), case .member(let sealer, let epoch, let r) = slot.body else {
                throw .notAMember
            }
            // A slot whose public key is the identity's and that does not open was altered (rule 14c), as is one
            // whose sealer is no usable key (X25519 refuses a point of low order).
            let keys: SlotKeys
            do { keys = try SlotKeys(member: identity, sealer: sealer) } catch { throw .headerTampered }
            guard let key = try keys.open(r, vaultID: file.vaultID, id: slot.id, type: slot.type, extra: SlotKeys.epochBytes(epoch)) else { throw .headerTampered }
            return (key, Opener(slotID: slot.id, secret: nil, identity: identity))
        }
    }

    /// The vault key from `slot` given its secret (a format-1 slot: its wrapping key); nil when the secret
    /// is another slot's.
    private static func open(_ slot: Slot, secret: SecureBytes, _ file: VaultFile, authKey: inout SecureBytes?) throws(VaultError) -> SecureBytes? {
        switch slot.body {
        case .passphrase(_, _, let r), .keyFile(_, let r):
            let keys = try SlotKeys(slotSecret: secret)
            let key = try keys.open(r, vaultID: file.vaultID, id: slot.id, type: slot.type)
            if key != nil { authKey = keys.authKey }
            return key
        case .member:
            // Opened by identity only (`Unlock.identity`): a member slot has no slot secret.
            return nil
        case .legacyPassphrase(_, _, let w), .legacyKeyFile(let w):
            do {
                let key = try SecretBox.open(w.box[...], nonce: w.nonce, key: secret)
                return key.count == VaultFormat.vaultKeyBytes ? key : nil
            } catch .authenticationFailed {
                return nil
            } catch { throw .crypto(error) }
        case .unknown:
            return nil
        }
    }

    /// The same vault read again from `bytes` (another writer replaced the file). Tried with the vault key
    /// held; when another writer re-keyed, with the secret of the slot this vault was unlocked through,
    /// which fails once that slot is gone.
    public func reopened(_ bytes: [UInt8]) throws(VaultError) -> Vault {
        let file = try VaultFile(parsing: bytes)
        var vault: Vault
        do {
            vault = try Vault.open(file, with: .vaultKey(vaultKey))
        } catch {
            // Not this vault key: re-keyed by another writer, or altered. The slot's secret tells which;
            // without one (a format-1 key-file slot) an altered file is the only explanation this reader has.
            guard error == .headerTampered, let opener, opener.secret != nil || opener.identity != nil else { throw error }
            guard file.slots.contains(where: { $0.id == opener.slotID }) else { throw .rekeyedWithoutSlot }
            do {
                if let identity = opener.identity {
                    vault = try Vault.open(file, with: .identity(identity))
                } else {
                    vault = try Vault.open(file, with: .slotKey(opener.secret!))
                }
            } catch {
                throw error == .wrongPassphrase || error == .notAMember ? .rekeyedWithoutSlot : error
            }
            guard vault.opener?.slotID == opener.slotID else { throw .rekeyedWithoutSlot }
        }
        vault.opener = opener
        return vault
    }

    // MARK: Saving

    /// The version-2 file to write: generation one more, the opener's format-1 slot converted when its
    /// secret is at hand, every slot info sealed with a fresh nonce, a fresh payload nonce when the entries
    /// or the vault key changed, and the header MAC over all of it.
    public mutating func seal() throws(VaultError) -> [UInt8] {
        try assignVaultID()
        try convertOpenerSlot()
        // What a reader checks without a key (ids, the KDF budget), checked before writing: a file that
        // breaks them would lock every slot out.
        try VaultFile.checkTable(slots, nextSlotID: nextSlotID)
        guard slots.count <= VaultFormat.maxSlots(version: VaultFormat.version) else { throw .slotTableFull }
        // A file at the last generation cannot be followed by another (a key holder may write one).
        guard generation < UInt64.max else { throw .invalidSlot("the vault is at its last generation and cannot be written again") }
        let keys = try SubKeys(vaultKey: vaultKey, version: VaultFormat.version)
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
        }
        var sealedInfos: [[UInt8]] = []
        for slot in slots {
            guard slot.isKnown else { sealedInfos.append([]); continue }
            let info = infos[slot.id] ?? SlotInfo(label: "", created: 0, authKey: nil)
            let secretPlaintext = slot.isMember ? nil : try info.plaintext()
            do {
                let nonce = try Random.bytes(VaultFormat.nonceBytes)
                let seal = { (p: UnsafeRawBufferPointer) throws(SodiumError) in try SecretBox.seal(p, nonce: nonce, key: keys.slotInfo) }
                let box: [UInt8]
                if let secretPlaintext {
                    box = try secretPlaintext.withUnsafeBytes { (p) throws(SodiumError) in try seal(p) }
                } else {
                    box = try info.memberPlaintext().withUnsafeBytes { p in Result { () throws(SodiumError) in try seal(p) } }.get()
                }
                sealedInfos.append(nonce + box)
            } catch { throw .crypto(error) }
        }
        generation += 1
        let header = VaultFile.encodeHeader(vaultID: vaultID, generation: generation, nextSlotID: nextSlotID, slots: slots, infos: sealedInfos)
        let mac = try keys.headerMAC(header, payloadNonce: payload.nonce)
        sealedPayload = payload
        for (i, info) in sealedInfos.enumerated() where slots[i].isKnown { slots[i].sealedInfo = info }
        return header + mac + payload.nonce + payload.box
    }

    /// A vault read from a version-1 file gets its vault id at its first write (or first new slot, whose
    /// tag covers the id).
    private mutating func assignVaultID() throws(VaultError) {
        guard vaultID.isEmpty else { return }
        do { vaultID = try Random.bytes(VaultFormat.vaultIDBytes) } catch { throw .crypto(error) }
    }

    /// A format-1 slot this vault was unlocked through becomes a version-2 slot (v2 §3.4): same id, label
    /// and time, a key pair from its secret. The vault key does not change.
    private mutating func convertOpenerSlot() throws(VaultError) {
        guard let opener, let secret = opener.secret, let index = slots.firstIndex(where: { $0.id == opener.slotID }) else { return }
        let slot = slots[index]
        let body: Slot.Body
        switch slot.body {
        case .legacyPassphrase(let kdf, let salt, _):
            body = .passphrase(kdf, salt: salt, Slot.Recipient(publicKey: [], sealedKey: [], tag: []))
        case .legacyKeyFile:
            guard let salt = opener.salt else { return }
            body = .keyFile(salt: salt, Slot.Recipient(publicKey: [], sealedKey: [], tag: []))
        default:
            return
        }
        let keys = try SlotKeys(slotSecret: secret)
        slots[index].body = body
        var info = infos[slot.id] ?? SlotInfo(label: "", created: 0, authKey: nil)
        info.authKey = keys.authKey
        infos[slot.id] = info
        try reseal(index, publicKey: keys.publicKey)
        self.opener?.salt = nil
    }

    /// Seals the vault key to slot `index` again and tags it with the auth key from its info; a member slot
    /// with the key this writer's identity shares with the member, this writer becoming its sealer.
    private mutating func reseal(_ index: Int, publicKey: [UInt8]? = nil) throws(VaultError) {
        let slot = slots[index]
        if case .member(_, _, let old) = slot.body {
            guard let writer = opener?.identity else { throw .cannotRekey(slot.id, "a member slot takes a new vault key only from a member's identity") }
            let r = try SlotKeys.memberRecipient(member: old.publicKey, sealer: writer, epoch: epoch, vaultKey: vaultKey, vaultID: vaultID, id: slot.id)
            slots[index].body = .member(sealer: writer.publicKey, epoch: epoch, r)
            return
        }
        guard let authKey = infos[slot.id]?.authKey else { throw .cannotRekey(slot.id, "its info holds no auth key") }
        let key = publicKey ?? slot.recipient?.publicKey ?? []
        let r = try SlotKeys.recipient(publicKey: key, authKey: authKey, vaultKey: vaultKey, vaultID: vaultID, id: slot.id, type: slot.type)
        switch slot.body {
        case .passphrase(let kdf, let salt, _): slots[index].body = .passphrase(kdf, salt: salt, r)
        case .keyFile(let salt, _): slots[index].body = .keyFile(salt: salt, r)
        default: break
        }
    }

    /// Every version-2 slot sealed and tagged again (after the vault id or the vault key changed).
    private mutating func retag() throws(VaultError) {
        for index in slots.indices where slots[index].recipient != nil { try reseal(index) }
    }

    // MARK: Re-keying

    /// A fresh vault key, given to every remaining slot through its public key; the payload and every slot
    /// info are encrypted again at the next `seal`. Nothing derived from a removed slot's secret or from an
    /// earlier vault key opens what is written afterwards (v2 §5).
    /// Fails or changes everything: the work is done on a copy, which replaces this vault at the end.
    public mutating func rekey() throws(VaultError) {
        try checkRekey()
        var copy = self
        try copy.convertOpenerSlot()
        do { copy.vaultKey = try SecureBytes.random(count: VaultFormat.vaultKeyBytes) } catch { throw .crypto(error) }
        // A new vault key, a new epoch for the member slots (v2 §11.2), so a member can tell it from any older key.
        if copy.slots.contains(where: \.isMember) {
            guard copy.epoch < UInt64.max else { throw .cannotRekey(copy.opener?.slotID ?? 0, "the key epoch is at its maximum") }
            copy.epoch += 1
        }
        copy.sealedPayload = nil
        try copy.assignVaultID()
        try copy.retag()
        self = copy
    }

    /// Refuses, as `rekey` would, when a slot other than `except` cannot be given a new vault key: a
    /// format-1 slot (unless it is the one this vault was unlocked through and can convert) or an unknown
    /// type. Lets a command refuse before it asks for anything.
    public func checkRekey(except removed: UInt32? = nil) throws(VaultError) {
        for slot in slots where slot.id != removed && slot.isMember && opener?.identity == nil {
            throw .cannotRekey(slot.id, "a member slot takes a new vault key only from a member's identity; unlock with one")
        }
        for slot in slots where slot.id != removed && slot.recipient == nil {
            if slot.isLegacy, let opener, opener.slotID == slot.id, opener.secret != nil, slot.isPassphrase || opener.salt != nil { continue }
            throw Vault.cannotRekey(slot)
        }
    }

    private static func cannotRekey(_ slot: Slot) -> VaultError {
        if slot.isLegacy {
            let secret = slot.isPassphrase ? "passphrase" : "key file"
            return .cannotRekey(slot.id, "it is a format-1 \(slot.typeName) slot, which needs its \(secret) once to be converted")
        }
        return .cannotRekey(slot.id, "its type \(slot.type) is unknown to this version")
    }

    // MARK: Slots

    /// Replaces passphrase slot `id` (same id, label and creation time) with one for `passphrase` (new salt,
    /// new key pair), then re-keys: the old passphrase opens no later generation (v2 §5).
    public mutating func setPassphrase(_ passphrase: SecureBytes, kdf: KDFParameters, slot id: UInt32) throws(VaultError) {
        try setPassphrase(try Vault.preparePassphrase(passphrase, kdf: kdf), slot: id)
    }

    /// A new passphrase slot's secret and key pair, derived ahead (the slow Argon2id step), so a writer can
    /// run it before it takes the vault's lock.
    public struct PreparedPassphrase: Sendable {
        let kdf: KDFParameters
        let salt: [UInt8]
        let secret: SecureBytes
    }

    public static func preparePassphrase(_ passphrase: SecureBytes, kdf: KDFParameters) throws(VaultError) -> PreparedPassphrase {
        try kdf.validate()
        let salt: [UInt8]
        do { salt = try Random.bytes(VaultFormat.saltBytes) } catch { throw .crypto(error) }
        return PreparedPassphrase(kdf: kdf, salt: salt, secret: try SlotKeys.passphraseSecret(try Passphrase.forVersion2(passphrase), kdf: kdf, salt: salt))
    }

    /// `setPassphrase` with the derivation done: no KDF runs here.
    public mutating func setPassphrase(_ prepared: PreparedPassphrase, slot id: UInt32) throws(VaultError) {
        guard let index = slots.firstIndex(where: { $0.id == id }) else { throw .slotNotFound(id) }
        guard slots[index].isPassphrase else { throw .invalidSlot("slot \(id) is not a passphrase slot") }
        // The slot itself becomes a version-2 slot here; every other one must take the new key.
        try checkRekey(except: id)
        var copy = self
        try copy.replacePassphrase(prepared, index: index)
        try copy.rekey()
        self = copy
    }

    private mutating func replacePassphrase(_ prepared: PreparedPassphrase, index: Int) throws(VaultError) {
        let id = slots[index].id
        let keys = try SlotKeys(slotSecret: prepared.secret)
        slots[index].body = .passphrase(prepared.kdf, salt: prepared.salt, Slot.Recipient(publicKey: keys.publicKey, sealedKey: [], tag: []))
        var info = infos[id] ?? SlotInfo(label: "", created: 0, authKey: nil)
        info.authKey = keys.authKey
        infos[id] = info
        if opener?.slotID == id { opener = Opener(slotID: id, secret: prepared.secret) }
    }

    /// Adds a passphrase slot with a new id; returns the slot secret (the caller unlocked with it).
    @discardableResult
    private mutating func appendPassphraseSlot(_ passphrase: SecureBytes, kdf: KDFParameters, label: String, now: Int64) throws(VaultError) -> SecureBytes {
        let salt: [UInt8]
        do { salt = try Random.bytes(VaultFormat.saltBytes) } catch { throw .crypto(error) }
        let secret = try SlotKeys.passphraseSecret(try Passphrase.forVersion2(passphrase), kdf: kdf, salt: salt)
        let keys = try SlotKeys(slotSecret: secret)
        let id = try takeSlotID()
        let type = VaultFormat.SlotType.passphrase.rawValue
        slots.append(Slot(id: id, body: .passphrase(kdf, salt: salt, try keys.recipient(vaultKey: vaultKey, vaultID: vaultID, id: id, type: type)), sealedInfo: nil))
        infos[id] = SlotInfo(label: label, created: now, authKey: keys.authKey)
        return secret
    }

    /// Adds a key-file slot; returns its id. The vault key does not change.
    @discardableResult
    public mutating func addKeyFileSlot(_ keyFile: KeyFile, label: String = "", now: Int64 = WallClock.now()) throws(VaultError) -> UInt32 {
        try Vault.checkLabel(label)
        try assignVaultID()
        let salt: [UInt8]
        do { salt = try Random.bytes(VaultFormat.saltBytes) } catch { throw .crypto(error) }
        let keys = try SlotKeys(slotSecret: try SlotKeys.keyFileSecret(keyFile, salt: salt))
        let id = try takeSlotID()
        let type = VaultFormat.SlotType.keyFile.rawValue
        slots.append(Slot(id: id, body: .keyFile(salt: salt, try keys.recipient(vaultKey: vaultKey, vaultID: vaultID, id: id, type: type)), sealedInfo: nil))
        infos[id] = SlotInfo(label: label, created: now, authKey: keys.authKey)
        return id
    }

    private mutating func takeSlotID() throws(VaultError) -> UInt32 {
        guard slots.count < VaultFormat.maxSlots(version: VaultFormat.version) else { throw .slotTableFull }
        guard nextSlotID < UInt32.max else { throw .slotTableFull }
        defer { nextSlotID += 1 }
        return nextSlotID
    }

    /// Removes a slot by id and re-keys; refuses to remove the last slot that can open the vault, and
    /// refuses (before changing anything) when a remaining slot cannot be given the new key. A member slot's
    /// removal marks every entry "exposed to NAME since `now`" (v2 §11.3): its holder could read them all.
    public mutating func removeSlot(id: UInt32, now: Int64 = WallClock.now()) throws(VaultError) {
        guard let index = slots.firstIndex(where: { $0.id == id }) else { throw .slotNotFound(id) }
        guard slots.contains(where: { $0.id != id && $0.isKnown }) else { throw .lastSlot }
        if slots[index].isMember && opener?.slotID == id && slots.contains(where: { $0.id != id && $0.isMember }) {
            throw .invalidSlot("you cannot remove your own member slot while other members remain: another member removes you")
        }
        try checkRekey(except: id)
        var copy = self
        let removed = copy.slots.remove(at: index)
        let name = copy.infos.removeValue(forKey: id)?.label ?? ""
        if copy.opener?.slotID == id { copy.opener = nil }
        // In a team vault any slot's holder could read every entry: a CI host's key file as much as a member.
        if removed.isMember || copy.slots.contains(where: \.isMember) { try copy.markExposed(to: name.isEmpty ? "slot \(id)" : name, since: now) }
        try copy.rekey()
        self = copy
    }

    /// Every entry's current secret was readable by `member` (v2 §11.3).
    private mutating func markExposed(to member: String, since: Int64) throws(VaultError) {
        for name in list.entries.map(\.name) {
            try list.update(name) { e in e.exposures.append(Exposure(member: member, since: since)) }
        }
    }

    // MARK: Members (version 4)

    /// A new team vault: one member slot, id 0, for `identity` under `name`, sealed by itself.
    public static func createTeam(identity: Identity, name: String, now: Int64 = WallClock.now()) throws(VaultError) -> Vault {
        var vault = try Vault.empty(opener: Opener(slotID: 0, secret: nil, identity: identity))
        vault.epoch = 1
        try vault.appendMember(name: name, publicKey: identity.publicKey, addedBy: name, now: now)
        return vault
    }

    /// Adds a member slot sealed by this writer's identity (the vault key does not change); returns its id.
    @discardableResult
    public mutating func addMember(name: String, publicKey: [UInt8], now: Int64 = WallClock.now()) throws(VaultError) -> UInt32 {
        guard let opener, opener.identity != nil else { throw .invalidSlot("only a member, unlocked with their identity, adds members") }
        return try appendMember(name: name, publicKey: publicKey, addedBy: infos[opener.slotID]?.label ?? "", now: now)
    }

    private mutating func appendMember(name: String, publicKey: [UInt8], addedBy: String, now: Int64) throws(VaultError) -> UInt32 {
        try Vault.checkLabel(name)
        guard !name.isEmpty else { throw .invalidSlot("a member needs a name") }
        guard publicKey.count == VaultFormat.publicKeyBytes else { throw .invalidSlot("a member key is \(VaultFormat.publicKeyBytes) bytes") }
        if let clash = members.first(where: { $0.name == name || $0.publicKey == publicKey }) {
            throw .invalidSlot(clash.name == name ? "a member named '\(name)' already exists" : "that key is already member '\(clash.name)'")
        }
        guard let writer = opener?.identity else { throw .invalidSlot("only a member adds members") }
        let id = try takeSlotID()
        let r = try SlotKeys.memberRecipient(member: publicKey, sealer: writer, epoch: epoch, vaultKey: vaultKey, vaultID: vaultID, id: id)
        slots.append(Slot(id: id, body: .member(sealer: writer.publicKey, epoch: epoch, r), sealedInfo: nil))
        infos[id] = SlotInfo(label: name, created: now, authKey: nil, addedBy: addedBy)
        return id
    }

    /// A merge's result (`TeamMerge`): this vault (ours) with `entries`, without the slots `removed`, with
    /// `added` slots (from theirs, given new ids when theirs collide with ours), at the generation after
    /// `generation`, and re-keyed by this writer's identity: nobody removed on either side opens it.
    mutating func merged(entries: [Entry], removed: Set<UInt32>, added: [(Slot, SlotInfo)], generation: UInt64, epoch: UInt64) throws(VaultError) {
        var list = EntryList()
        list.identity = self.list.identity
        list.teams = self.list.teams
        for e in entries { try list.add(e) }
        var copy = self
        copy.list = list
        copy.slots.removeAll { removed.contains($0.id) }
        for id in removed { copy.infos[id] = nil }
        for (slot, info) in added {
            guard copy.slots.count < VaultFormat.maxSlots(version: VaultFormat.version) else { throw .slotTableFull }
            // An id ours never gave out is kept; any other is ours' (or was), so the slot gets a new one.
            let id = slot.id < copy.nextSlotID ? try copy.takeSlotID() : slot.id
            copy.nextSlotID = Swift.max(copy.nextSlotID, id + 1)
            copy.slots.append(Slot(id: id, body: slot.body, sealedInfo: nil))
            copy.infos[id] = info
        }
        copy.generation = Swift.max(copy.generation, generation)
        // The re-key's epoch is above both sides'.
        copy.epoch = Swift.max(copy.epoch, epoch)
        try copy.rekey()
        self = copy
    }

    /// A slot and its info, for a merge to carry from the other side.
    func slotWithInfo(_ id: UInt32) -> (Slot, SlotInfo)? {
        guard let slot = slots.first(where: { $0.id == id }), let info = infos[id] else { return nil }
        return (slot, info)
    }

    /// Removes the member named `name` and re-keys (`removeSlot`).
    public mutating func removeMember(named name: String, now: Int64 = WallClock.now()) throws(VaultError) {
        guard let member = members.first(where: { $0.name == name }) else { throw .memberNotFound(name) }
        try removeSlot(id: member.slotID, now: now)
    }

    /// Sets a slot's label.
    public mutating func setLabel(_ label: String, slot id: UInt32) throws(VaultError) {
        try Vault.checkLabel(label)
        guard let slot = slots.first(where: { $0.id == id }), slot.isKnown else { throw .slotNotFound(id) }
        var info = infos[id] ?? SlotInfo(label: "", created: 0, authKey: nil)
        info.label = label
        infos[id] = info
    }

    static func checkLabel(_ label: String) throws(VaultError) {
        guard SlotInfo.isValidLabel(label) else {
            throw .invalidSlot("a slot label is at most \(VaultFormat.maxLabelBytes) bytes of text without control characters")
        }
    }

    /// Appends a slot of a type this version does not know (v2 §3.5); for vectors and tests of skipping.
    mutating func appendUnknownSlot(type: UInt8, body: [UInt8]) throws(VaultError) {
        let id = try takeSlotID()
        slots.append(Slot(id: id, body: .unknown(type: type, body: body), sealedInfo: nil))
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

/// An opened slot info: a member's in ordinary memory (no secret), any other's in locked memory.
private enum InfoPlaintext {
    case member([UInt8])
    case secret(SecureBytes)

    func info(legacy: Bool) throws(VaultError) -> SlotInfo {
        switch self {
        case .member(let bytes): try SlotInfo(memberPlaintext: bytes)
        case .secret(let bytes): try SlotInfo(plaintext: bytes, legacy: legacy)
        }
    }
}

/// Subkeys derived from the vault key with keyed BLAKE2b-256 (v2 §4; v1 §4 with the v1 labels).
struct SubKeys {
    let headerMACKey: SecureBytes
    let payload: SecureBytes
    let slotInfo: SecureBytes

    init(vaultKey: SecureBytes, version: UInt16) throws(VaultError) {
        let v1 = version == VaultFormat.versionV1
        do {
            headerMACKey = try GenericHash.keyedHash(key: vaultKey, message: v1 ? VaultFormat.v1HeaderMACLabel : VaultFormat.headerMACLabel)
            payload = try GenericHash.keyedHash(key: vaultKey, message: v1 ? VaultFormat.v1PayloadKeyLabel : VaultFormat.payloadKeyLabel)
            slotInfo = try GenericHash.keyedHash(key: vaultKey, message: VaultFormat.slotInfoLabel)
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
