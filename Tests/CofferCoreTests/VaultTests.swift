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
        let slot = try! VaultFile(parsing: bytes).passphraseSlots[0]
        return (bytes, keyFile, try! slot.deriveKey(passphrase: passphrase))
    }()

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
        let unchanged = try vault.seal()
        XCTAssertEqual(unchanged, Self.fixture.bytes, "nothing changed, so nothing is re-encrypted")
        try vault.update("github") { $0.note = "changed" }
        let first = try VaultFile(parsing: try vault.seal())
        try vault.update("github") { $0.note = "changed again" }
        let second = try VaultFile(parsing: try vault.seal())
        let original = try VaultFile(parsing: Self.fixture.bytes)
        XCTAssertNotEqual(first.payloadNonce, original.payloadNonce)
        XCTAssertNotEqual(first.payloadNonce, second.payloadNonce)
    }

    func testChangingThePassphraseRewrapsWithoutReencrypting() throws {
        var vault = try Vault.open(Self.fixture.bytes, with: .keyFile(Self.fixture.keyFile))
        let newPassphrase = try SecureBytes(copyingUTF8: "another passphrase")
        try vault.setPassphrase(newPassphrase, kdf: KDFParameters(level: .interactive))
        let rewrapped = try vault.seal()
        let before = try VaultFile(parsing: Self.fixture.bytes), after = try VaultFile(parsing: rewrapped)
        XCTAssertEqual(after.payloadNonce, before.payloadNonce)
        XCTAssertEqual(after.payloadBox, before.payloadBox, "entries are not re-encrypted")
        XCTAssertNotEqual(after.passphraseSlots[0].salt, before.passphraseSlots[0].salt, "a fresh salt")
        XCTAssertEqual(after.slots.count, 2, "the key-file slot stays")
        XCTAssertThrowsError(try Vault.open(rewrapped, with: .slotKey(Self.fixture.slotKey))) {
            XCTAssertEqual($0 as? VaultError, .wrongPassphrase)
        }
        XCTAssertEqual(try Vault.open(rewrapped, with: .passphrase(newPassphrase)).entries.count, 5)
        XCTAssertEqual(try Vault.open(rewrapped, with: .keyFile(Self.fixture.keyFile)).entries.count, 5)
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
        // The sweep reaches every kind of rejection, so no branch is silently skipped.
        for expected in ["not a vault", "unsupported version", "malformed header", "kdf parameters out of range",
                         "header tampered", "payload tampered"] {
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
        bytes.replaceSubrange(17..<25, with: withUnsafeBytes(of: (UInt64(1) << 40).littleEndian) { Array($0) })
        // With a passphrase this would allocate 1 TiB if the check came after the KDF.
        XCTAssertThrowsError(try Vault.open(bytes, with: .passphrase(Self.passphrase))) {
            XCTAssertEqual($0 as? VaultError, .kdfParametersOutOfRange(opsLimit: 2, memLimit: 1 << 40))
        }
    }
}
