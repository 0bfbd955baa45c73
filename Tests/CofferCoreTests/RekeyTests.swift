@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// vault-v2.md §5: after a slot is removed or a passphrase changed, nothing the removed secret opens in any
/// earlier generation, and nothing those keys decrypt, opens what is written afterwards. Also the upgrade
/// from version 1 and the bounded unlock (§6 rule 7).
final class RekeyTests: XCTestCase {
    static let passphrase = try! SecureBytes(copyingUTF8: "a passphrase")
    static let kdf = KDFParameters(level: .interactive)

    /// Every 32-byte key an attacker gets from one old copy with `unlock`: the vault key, the slot's secret,
    /// its X25519 secret key and auth key, every slot's auth key from the infos, and every subkey of the
    /// vault key. Asserts that the material is real: it opens that copy.
    static func attackerKeys(_ copy: [UInt8], _ unlock: Unlock) throws -> [SecureBytes] {
        let vault = try Vault.open(copy, with: unlock)
        XCTAssertNoThrow(try Vault.open(copy, with: .vaultKey(vault.vaultKey)), "the stolen vault key opens the copy")
        var keys = [vault.vaultKey]
        if let secret = vault.opener?.secret {
            let derived = try SlotKeys(slotSecret: secret)
            keys += [secret, derived.secretKey, derived.authKey]
        }
        if let identity = vault.opener?.identity { keys.append(identity.secretKey) }
        keys += vault.infos.values.compactMap(\.authKey)
        let sub = try SubKeys(vaultKey: vault.vaultKey, version: vault.readVersion)
        keys += [sub.headerMACKey, sub.payload, sub.slotInfo]
        return keys
    }

    /// Tries every key every way on `file`: as the vault key, a slot secret, each slot's X25519 secret key,
    /// the payload key and the slot-info key. Each must fail.
    static func assertNothingOpens(_ bytes: [UInt8], with keys: [SecureBytes], _ what: String) throws {
        let file = try VaultFile(parsing: bytes)
        for (n, key) in keys.enumerated() {
            XCTAssertThrowsError(try Vault.open(file, with: .vaultKey(key)), "\(what): key \(n) as the vault key")
            XCTAssertThrowsError(try Vault.open(file, with: .slotKey(key)), "\(what): key \(n) as a slot secret")
            for slot in file.slots {
                if let r = slot.recipient {
                    XCTAssertThrowsError(try SealedBox.open(r.sealedKey, publicKey: r.publicKey, secretKey: key), "\(what): key \(n) on slot \(slot.id)")
                }
                if let info = slot.sealedInfo {
                    XCTAssertThrowsError(try SecretBox.open(info[24...], nonce: Array(info[..<24]), key: key), "\(what): key \(n) on the info of slot \(slot.id)")
                }
            }
            XCTAssertThrowsError(try SecretBox.open(file.payloadBox, nonce: file.payloadNonce, key: key), "\(what): key \(n) as the payload key")
        }
    }

    func entry(_ name: String) throws -> Entry {
        var e = Entry(name: name, kind: .login, host: "git.example.com", username: "u", secret: try Secret(copying: "s3cret-\(name)"), created: 1_800_000_000)
        e.protocol = "https"
        return e
    }

    func testARemovedKeyFileOpensNothingWrittenAfterwards() throws {
        var vault = try Vault.create(passphrase: Self.passphrase, kdf: Self.kdf)
        try vault.add(try entry("before"))
        let deploy = try KeyFile.generate()
        let id = try vault.addKeyFileSlot(deploy, label: "deploy-prod")
        var generations = [try vault.seal()]
        try vault.add(try entry("also-before"))
        generations.append(try vault.seal())
        // The deploy host keeps copies of every generation so far and the key file.
        let stolen = try generations.flatMap { try Self.attackerKeys($0, .keyFile(deploy)) }

        try vault.removeSlot(id: id)
        let removed = try vault.seal()
        try vault.add(try entry("after"))
        let later = try vault.seal()
        for (name, bytes) in [("the removal", removed), ("a later write", later)] {
            try Self.assertNothingOpens(bytes, with: stolen, name)
            XCTAssertThrowsError(try Vault.open(bytes, with: .keyFile(deploy))) { XCTAssertEqual($0 as? VaultError, .noSlot("key-file")) }
        }
        // The remaining slot still opens, without its passphrase being typed again during the removal.
        let secret = try VaultTests.slotSecret(later, Self.passphrase)
        XCTAssertEqual(try Vault.open(later, with: .slotKey(secret)).entries.map(\.name), ["before", "also-before", "after"])
    }

    func testAnOldPassphraseOpensNothingWrittenAfterPasswd() throws {
        var vault = try Vault.create(passphrase: Self.passphrase, kdf: Self.kdf)
        try vault.add(try entry("before"))
        let ci = try KeyFile.generate()
        try vault.addKeyFileSlot(ci, label: "ci")
        let old = try vault.seal()
        let stolen = try Self.attackerKeys(old, .passphrase(Self.passphrase))

        let newPassphrase = try SecureBytes(copyingUTF8: "a new passphrase")
        try vault.setPassphrase(newPassphrase, kdf: Self.kdf, slot: 0)
        try vault.add(try entry("after"))
        let later = try vault.seal()
        try Self.assertNothingOpens(later, with: stolen, "after passwd")
        XCTAssertThrowsError(try Vault.open(later, with: .passphrase(Self.passphrase))) { XCTAssertEqual($0 as? VaultError, .wrongPassphrase) }
        XCTAssertEqual(try Vault.open(later, with: .keyFile(ci)).entries.count, 2, "the key-file slot still opens")
        XCTAssertEqual(try Vault.open(later, with: .passphrase(newPassphrase)).unlockedSlotID, 0, "the slot keeps its id")
    }

    func testRekeyGivesEverySlotTheNewKey() throws {
        var vault = try Vault.create(passphrase: Self.passphrase, kdf: Self.kdf)
        let a = try KeyFile.generate(), b = try KeyFile.generate()
        try vault.addKeyFileSlot(a)
        try vault.addKeyFileSlot(b)
        let before = try vault.seal()
        let oldKey = vault.vaultKey
        try vault.rekey()
        let after = try vault.seal()
        try Self.assertNothingOpens(after, with: [oldKey], "after rekey")
        for keyFile in [a, b] { XCTAssertNoThrow(try Vault.open(after, with: .keyFile(keyFile))) }
        XCTAssertEqual(try VaultFile(parsing: after).vaultID, try VaultFile(parsing: before).vaultID)
    }

    /// The agent's view: another writer re-keys; the agent still reads the file through its slot's secret,
    /// until that slot is removed.
    func testReopeningAfterAnotherWriterRekeyed() throws {
        var vault = try Vault.create(passphrase: Self.passphrase, kdf: Self.kdf)
        let deploy = try KeyFile.generate()
        let id = try vault.addKeyFileSlot(deploy)
        let agent = try Vault.open(try vault.seal(), with: .keyFile(deploy))
        try vault.rekey()
        XCTAssertEqual(try agent.reopened(try vault.seal()).unlockedSlotID, id)
        var altered = try vault.seal()
        altered[24] ^= 1 // the generation: an altered file, not a re-key
        XCTAssertThrowsError(try agent.reopened(altered)) { XCTAssertEqual($0 as? VaultError, .headerTampered) }
        try vault.removeSlot(id: id)
        XCTAssertThrowsError(try agent.reopened(try vault.seal())) { XCTAssertEqual($0 as? VaultError, .rekeyedWithoutSlot) }
    }

    /// A refused re-key (a format-1 slot nobody here can convert) changes nothing, so a later write of the
    /// same value writes what was there.
    func testARefusedRekeyLeavesTheVaultAsItWas() throws {
        let passphrase = try SecureBytes(copyingUTF8: "correct horse battery staple")
        var upgraded = try Vault.open(try v1("keyfile.coffer"), with: .passphrase(passphrase))
        let before = upgraded.slotSummaries
        let key = upgraded.vaultKey
        XCTAssertThrowsError(try upgraded.setPassphrase(try SecureBytes(copyingUTF8: "new"), kdf: Self.kdf, slot: 0)) {
            XCTAssertEqual($0 as? VaultError, .cannotRekey(1, "it is a format-1 key-file slot, which needs its key file once to be converted"))
        }
        XCTAssertThrowsError(try upgraded.removeSlot(id: 0))
        XCTAssertThrowsError(try upgraded.rekey())
        XCTAssertEqual(upgraded.slotSummaries, before)
        XCTAssertTrue(upgraded.vaultKey === key)
        let written = try VaultFile(parsing: try upgraded.seal())
        XCTAssertEqual(written.slots.map(\.type), [0x01, 0x12], "the write converts only the slot it was opened with")
        XCTAssertNoThrow(try Vault.open(written.bytes, with: .keyFile(try v1KeyFile("keyfile-a.key"))))
    }

    func testPassphrasesAreNormalizedToNFCWhateverTheirLength() throws {
        for (nfd, nfc) in [("e\u{301}", "\u{E9}"), ("cafe\u{301} cre\u{300}me brule\u{301}e, a long one", "caf\u{E9} cr\u{E8}me brul\u{E9}e, a long one"),
                           ("plain ascii", "plain ascii"), ("\u{E9}", "\u{E9}")] {
            let out = try XCTUnwrap(try Passphrase.normalized(try SecureBytes(copyingUTF8: nfd)))
            XCTAssertEqual(out.withUnsafeBytes { Array($0) }, Array(nfc.utf8), nfd)
        }
        XCTAssertNil(try Passphrase.normalized(try [0xFF, 0x41].withUnsafeBytes { try SecureBytes(copying: $0) }))
    }

    // MARK: Version 1

    func v1(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: VectorFile.v1Directory.appendingPathComponent(name)))
    }

    func v1KeyFile(_ name: String) throws -> KeyFile {
        try Array(try Data(contentsOf: VectorFile.v1Directory.appendingPathComponent(name))).withUnsafeBytes { try KeyFile(contents: $0) }
    }

    /// The v1 `keyfile` vector (a passphrase slot and a key-file slot): its first write is version 2, the
    /// slot it was opened with converted, the other carried as a format-1 slot; a re-key waits for it.
    func testAVersion1VaultUpgradesOnItsFirstWriteAndKeepsItsEntries() throws {
        let bytes = try v1("keyfile.coffer")
        let keyFile = try v1KeyFile("keyfile-a.key")
        let passphrase = try SecureBytes(copyingUTF8: "correct horse battery staple")
        var vault = try Vault.open(bytes, with: .keyFile(keyFile))
        let entries = vault.entries.map(VectorFile.describe)
        XCTAssertEqual(vault.readVersion, 1)
        XCTAssertEqual(vault.slotSummaries.map(\.id), [0, 1])
        let upgraded = try vault.seal()
        let file = try VaultFile(parsing: upgraded)
        XCTAssertEqual(file.version, VaultFormat.version)
        XCTAssertEqual(file.slots.map(\.type), [0x11, 0x02], "slot 1 converted, slot 0 still format 1")
        XCTAssertEqual(try Vault.open(upgraded, with: .keyFile(keyFile)).entries.map(VectorFile.describe), entries)
        XCTAssertThrowsError(try vault.rekey()) { XCTAssertEqual($0 as? VaultError, .cannotRekey(0, "it is a format-1 passphrase slot, which needs its passphrase once to be converted")) }

        // Opened once with the passphrase, slot 0 converts too; then a re-key goes through.
        var withPassphrase = try Vault.open(upgraded, with: .passphrase(passphrase))
        let stolen = try Self.attackerKeys(upgraded, .keyFile(keyFile)) + Self.attackerKeys(bytes, .keyFile(keyFile))
        try withPassphrase.removeSlot(id: 1)
        let rekeyed = try withPassphrase.seal()
        XCTAssertEqual(try VaultFile(parsing: rekeyed).slots.map(\.type), [0x01])
        try Self.assertNothingOpens(rekeyed, with: stolen, "after removing the upgraded key-file slot")
        XCTAssertEqual(try Vault.open(rekeyed, with: .passphrase(passphrase)).entries.map(VectorFile.describe), entries)
    }

    // MARK: Bounded unlock

    /// 16 passphrase slots at 4 GiB: refused at parsing, before any KDF, in both versions.
    func testACraftedFileAskingForTooMuchKDFWorkIsRefusedBeforeAnyKDF() throws {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let kdf = [0x02] + le(UInt32(2)) + le(UInt64(4) << 30) + [UInt8](repeating: 7, count: 16)
        var v1 = Array("COFFER".utf8) + le(UInt16(1)) + [16]
        for _ in 0..<16 { v1 += [0x01] + le(UInt16(101)) + kdf + [UInt8](repeating: 1, count: 72) }
        v1 += [UInt8](repeating: 0, count: 76)
        var v2 = Array("COFFER".utf8) + le(UInt16(2)) + [UInt8](repeating: 9, count: 16) + le(UInt64(1)) + le(UInt32(16)) + [16]
        for id in 0..<16 { v2 += [0x01] + le(UInt32(id)) + le(UInt16(318)) + kdf + [UInt8](repeating: 1, count: 289) }
        v2 += [UInt8](repeating: 0, count: 76)
        for bytes in [v1, v2] {
            let derivations = PasswordHash.derivations
            XCTAssertThrowsError(try Vault.open(bytes, with: .passphrase(Self.passphrase))) {
                XCTAssertEqual($0 as? VaultError, .kdfBudgetExceeded(16 * 2 * (4 << 30)))
            }
            XCTAssertEqual(PasswordHash.derivations, derivations, "no KDF ran")
        }
    }
}
