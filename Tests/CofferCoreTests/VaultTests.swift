@testable import CofferCore
import CofferSodium
import XCTest

/// Round trips, rewrapping, slots and the byte-flip sweep. The KDF runs once per test class: every other
/// open uses a key file or the already derived slot key.
final class VaultTests: XCTestCase {
    static let passphrase = try! SecureBytes(copyingUTF8: "a passphrase")
    /// One vault with entries, a passphrase slot and a key-file slot, and its slot key, made once.
    static let fixture: (bytes: [UInt8], keyFile: KeyFile, slotKey: SecureBytes) = {
        var vault = try! Vault.create(passphrase: passphrase, kdf: KDFParameters(level: .interactive))
        for entry in try! SampleEntries.make() { try! vault.add(entry) }
        let keyFile = try! KeyFile.generate()
        try! vault.addKeyFileSlot(keyFile)
        let bytes = try! vault.seal()
        return (bytes, keyFile, try! VaultTests.slotSecret(bytes, passphrase))
    }()

    /// The Argon2id output of the first passphrase slot: what `.slotKey` takes.
    static func slotSecret(_ bytes: [UInt8], _ passphrase: SecureBytes) throws -> SecureBytes {
        let slot = try VaultFile(parsing: bytes).passphraseSlots[0]
        return try SlotKeys.passphraseSecret(passphrase, kdf: slot.kdf!, salt: slot.passphraseSalt!)
    }

    func testRoundTripKeepsEveryField() throws {
        let (bytes, keyFile, slotKey) = Self.fixture
        let sample = try SampleEntries.make()
        for unlock in [Unlock.keyFile(keyFile), .slotKey(slotKey)] {
            let vault = try Vault.open(bytes, with: unlock)
            XCTAssertEqual(vault.entries.map(VectorFile.describe), sample.map(VectorFile.describe))
            let login = try XCTUnwrap(vault.entry(named: "git:https/git.example.com"))
            XCTAssertEqual(login.passwordExpiryUTC, 1_796_003_600)
            XCTAssertEqual(login.oauthRefreshToken?.revealed(), "refresh-123")
            XCTAssertEqual(login.origin, .git)
            let keypair = try XCTUnwrap(vault.entry(named: "magento-alice"))
            XCTAssertEqual(keypair.note, "Alice's key, created for the 2.4.7 upgrade")
            XCTAssertEqual(keypair.history.first?.secret.revealed(), "ffffffffffffffffffffffffffffffff")
            XCTAssertEqual(keypair.history.first?.username, "00000000000000000000000000000000")
            let bitbucket = try XCTUnwrap(vault.entry(named: "bitbucket"))
            XCTAssertEqual(bitbucket.rejectedHost, "bitbucket.org")
            XCTAssertEqual(bitbucket.origin, .imported)
        }
    }

    func testEverySaveUsesAFreshPayloadNonceAndUnchangedSavesKeepIt() throws {
        var vault = try Vault.open(Self.fixture.bytes, with: .keyFile(Self.fixture.keyFile))
        let unchanged = try VaultFile(parsing: try vault.seal())
        let read = try VaultFile(parsing: Self.fixture.bytes)
        XCTAssertEqual(unchanged.payloadBox, read.payloadBox, "nothing changed, so nothing is re-encrypted")
        XCTAssertEqual(unchanged.generation, read.generation + 1, "every write is a new generation")
        XCTAssertEqual(unchanged.vaultID, read.vaultID)
        try vault.update("github") { $0.note = "changed" }
        let first = try VaultFile(parsing: try vault.seal())
        try vault.update("github") { $0.note = "changed again" }
        let second = try VaultFile(parsing: try vault.seal())
        let original = try VaultFile(parsing: Self.fixture.bytes)
        XCTAssertNotEqual(first.payloadNonce, original.payloadNonce)
        XCTAssertNotEqual(first.payloadNonce, second.payloadNonce)
    }

    func testChangingThePassphraseReplacesItsSlotAndRekeys() throws {
        var vault = try Vault.open(Self.fixture.bytes, with: .keyFile(Self.fixture.keyFile))
        let newPassphrase = try SecureBytes(copyingUTF8: "another passphrase")
        try vault.setPassphrase(newPassphrase, kdf: KDFParameters(level: .interactive), slot: 0)
        let changed = try vault.seal()
        let before = try VaultFile(parsing: Self.fixture.bytes), after = try VaultFile(parsing: changed)
        XCTAssertNotEqual(after.payloadBox, before.payloadBox, "re-keyed: the payload is encrypted again")
        XCTAssertNotEqual(after.slots[0].passphraseSalt, before.slots[0].passphraseSalt, "a fresh salt")
        XCTAssertNotEqual(after.slots[0].recipient?.publicKey, before.slots[0].recipient?.publicKey, "a fresh key pair")
        XCTAssertEqual(after.slots.map(\.id), [0, 1], "same ids; the key-file slot stays")
        XCTAssertThrowsError(try Vault.open(changed, with: .slotKey(Self.fixture.slotKey))) {
            XCTAssertEqual($0 as? VaultError, .wrongPassphrase)
        }
        XCTAssertEqual(try Vault.open(changed, with: .passphrase(newPassphrase)).entries.count, 5)
        XCTAssertEqual(try Vault.open(changed, with: .keyFile(Self.fixture.keyFile)).entries.count, 5)
    }

    func testSlotIdsSurviveRemovalsAndAreNeverReused() throws {
        var vault = try Vault.open(Self.fixture.bytes, with: .keyFile(Self.fixture.keyFile))
        let deploy = try KeyFile.generate(), ci = try KeyFile.generate()
        XCTAssertEqual(try vault.addKeyFileSlot(deploy, label: "deploy-prod", now: 1_800_000_000), 2)
        XCTAssertEqual(try vault.addKeyFileSlot(ci, label: "ci", now: 1_800_000_001), 3)
        try vault.removeSlot(id: 2)
        XCTAssertEqual(try vault.addKeyFileSlot(try KeyFile.generate(), label: "later"), 4, "id 2 is not reused")
        let bytes = try vault.seal()
        let reopened = try Vault.open(bytes, with: .keyFile(ci))
        XCTAssertEqual(reopened.slotSummaries.map(\.id), [0, 1, 3, 4])
        XCTAssertEqual(reopened.slotSummaries.map(\.label), ["", "", "ci", "later"])
        XCTAssertEqual(reopened.slotSummaries[2].created, 1_800_000_001)
        XCTAssertEqual(reopened.unlockedSlotID, 3)
        XCTAssertThrowsError(try Vault.open(bytes, with: .keyFile(deploy))) { XCTAssertEqual($0 as? VaultError, .wrongKeyFile) }
        // The label and time are inside the header, encrypted: not in the clear.
        XCTAssertNil(bytes.firstRange(of: Array("later".utf8)))
    }

    func testKeyFileSlotsCanBeRemovedButNotTheLastSlot() throws {
        var vault = try Vault.open(Self.fixture.bytes, with: .keyFile(Self.fixture.keyFile))
        XCTAssertEqual(vault.slots.map(\.typeName), ["passphrase", "key-file"])
        try vault.removeSlot(id: 1)
        let bytes = try vault.seal()
        XCTAssertThrowsError(try Vault.open(bytes, with: .keyFile(Self.fixture.keyFile))) {
            XCTAssertEqual($0 as? VaultError, .noSlot("key-file"))
        }
        XCTAssertThrowsError(try vault.removeSlot(id: 0)) { XCTAssertEqual($0 as? VaultError, .lastSlot) }
        XCTAssertThrowsError(try vault.removeSlot(id: 5)) { XCTAssertEqual($0 as? VaultError, .slotNotFound(5)) }
        XCTAssertEqual(try Vault.open(bytes, with: .slotKey(Self.fixture.slotKey)).entries.count, 5)
    }

    /// A writer who holds only the slots' public keys (an outsider with write access) seals a key of their
    /// own to the passphrase slot: the slot's tag, which needs the slot's auth key, refuses it.
    func testAKeySealedToASlotByAnOutsiderIsRefused() throws {
        let file = try VaultFile(parsing: Self.fixture.bytes)
        let forged = try SecureBytes.random(count: 32)
        var slots = file.slots
        guard case .passphrase(let kdf, let salt, var r) = slots[0].body else { return XCTFail("slot 0 is not a passphrase slot") }
        r.sealedKey = try SealedBox.seal(forged, to: r.publicKey)
        slots[0].body = .passphrase(kdf, salt: salt, r)
        let header = VaultFile.encodeHeader(vaultID: file.vaultID, generation: file.generation + 1, nextSlotID: file.nextSlotID,
                                            slots: slots, infos: slots.map { $0.sealedInfo ?? [] })
        let keys = try SubKeys(vaultKey: forged, version: VaultFormat.version)
        let mac = try keys.headerMAC(header, payloadNonce: file.payloadNonce)
        let bytes = header + mac + file.payloadNonce + file.payloadBox
        XCTAssertThrowsError(try Vault.open(bytes, with: .slotKey(Self.fixture.slotKey))) { XCTAssertEqual($0 as? VaultError, .headerTampered) }
    }

    /// Every byte flipped, through a full open with the right key: each must fail with a VaultError.
    func testEveryFlippedByteIsRejected() throws {
        let (bytes, keyFile, slotKey) = Self.fixture
        var outcomes: [String: Int] = [:]
        for offset in bytes.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var flipped = bytes
                flipped[offset] ^= mask
                for unlock in [Unlock.keyFile(keyFile), .slotKey(slotKey)] {
                    do {
                        _ = try Vault.open(flipped, with: unlock)
                        XCTFail("byte \(offset) ^ \(mask) opened")
                    } catch {
                        outcomes[VectorTests.expectation(for: error), default: 0] += 1
                    }
                }
            }
        }
        // The sweep reaches every kind of rejection, so no branch is silently skipped. (Not *bad slot count*:
        // version 4 takes any count but 0, which no one-bit flip of 2 makes; the zero-slots vector has it.)
        for expected in ["not a vault", "unsupported version", "bad slot", "kdf parameters out of range",
                         "header tampered", "payload tampered", "truncated"] {
            XCTAssertNotNil(outcomes[expected], "no flip produced \(expected): \(outcomes)")
        }
    }

    func testEveryTruncationIsRejected() throws {
        let (bytes, keyFile, _) = Self.fixture
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Vault.open(Array(bytes.prefix(length)), with: .keyFile(keyFile)), "length \(length)") { error in
                XCTAssertNotNil(error as? VaultError)
            }
        }
    }

    func testParsingRefusesAbsurdKDFParametersBeforeDeriving() throws {
        var bytes = Self.fixture.bytes
        // memlimit of the first slot: after the fixed header (37), the slot prefix (7), algorithm and opslimit.
        let offset = VaultFormat.headerFixedBytes + VaultFormat.slotPrefixBytes + 5
        bytes.replaceSubrange(offset..<(offset + 8), with: withUnsafeBytes(of: (UInt64(1) << 40).littleEndian) { Array($0) })
        // With a passphrase this would allocate 1 TiB if the check came after the KDF.
        XCTAssertThrowsError(try Vault.open(bytes, with: .passphrase(Self.passphrase))) {
            XCTAssertEqual($0 as? VaultError, .kdfParametersOutOfRange(opsLimit: 2, memLimit: 1 << 40))
        }
    }
}
