@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// Runs every vector of every version (v1 §9, v2 §10) through one generic loop.
final class VectorTests: XCTestCase {
    func testEveryVersion1Vector() throws {
        let vectors = try VectorFile.all(in: VectorFile.v1Directory)
        XCTAssertGreaterThanOrEqual(vectors.count, 12, "the version-1 corpus is missing")
        try run(vectors)
    }

    func testEveryVersion2Vector() throws {
        let vectors = try VectorFile.all(in: VectorFile.v2Directory)
        XCTAssertGreaterThanOrEqual(vectors.count, 40, "the version-2 corpus is missing")
        try run(vectors, version: 2)
        // Every class of §9 has a vector.
        let classes = Set(vectors.compactMap { $0.value("expect") })
        for expected in VectorTests.v2Classes { XCTAssertTrue(classes.contains(expected), "no vector expects \(expected)") }
    }

    func testEveryVersion3Vector() throws {
        let vectors = try VectorFile.all(in: VectorFile.v3Directory)
        XCTAssertGreaterThanOrEqual(vectors.count, 40, "the version-3 corpus is missing")
        try run(vectors, version: 3)
        let classes = Set(vectors.compactMap { $0.value("expect") })
        for expected in VectorTests.v2Classes { XCTAssertTrue(classes.contains(expected), "no vector expects \(expected)") }
        // What version 3 adds has vectors that open, and the version-2 rules refuse the same payload.
        for name in ["payload-login-empty-username-and-password", "payload-authtype-without-username"] {
            let vector = try XCTUnwrap(vectors.first { $0.name == name }, name)
            XCTAssertEqual(vector.value("expect"), "success", name)
            // Without the ids a version-4 list gives its entries in memory: version 3 has none.
            let payload = try EntryList.encode(try Vault.open(try vector.vaultBytes, with: try unlock(for: vector)).entries.map { e in var e = e; e.id = nil; return e })
            XCTAssertNoThrow(try EntryList(decoding: payload, version: 3), name)
            XCTAssertThrowsError(try EntryList(decoding: payload, version: 2), name) { error in
                guard case VaultError.malformedPayload = error else { return XCTFail("\(name): \(error)") }
            }
        }
        // And a login without a username, which only version 3 has (git's credential may come without one).
        var login = Entry(name: "l", kind: .login, host: "h.example", username: nil, secret: try Secret(copying: "s"), created: 0)
        login.protocol = "https"
        let payload = try EntryList.encode([login])
        XCTAssertNoThrow(try EntryList(decoding: payload, version: 3))
        XCTAssertThrowsError(try EntryList(decoding: payload, version: 2))
    }

    func testEveryVersion4Vector() throws {
        let vectors = try VectorFile.all(in: VectorFile.v4Directory)
        XCTAssertGreaterThanOrEqual(vectors.count, 60, "the version-4 corpus is missing")
        try run(vectors, version: 4)
        let classes = Set(vectors.compactMap { $0.value("expect") })
        for expected in VectorTests.v2Classes { XCTAssertTrue(classes.contains(expected), "no vector expects \(expected)") }
        // The version-4 payload fields are refused by the version-3 rules.
        for name in ["entries", "payload-exposure", "payload-identity"] {
            let vector = try XCTUnwrap(vectors.first { $0.name == name }, name)
            let file = try VaultFile(parsing: try vector.vaultBytes)
            let vault = try Vault.open(file, with: try unlock(for: vector))
            let keys = try SubKeys(vaultKey: vault.vaultKey, version: 4)
            let plaintext = try SecretBox.open(file.payloadBox, nonce: file.payloadNonce, key: keys.payload)
            XCTAssertNoThrow(try EntryList(decoding: plaintext, version: 4), name)
            XCTAssertThrowsError(try EntryList(decoding: plaintext, version: 3), name) { error in
                guard case VaultError.malformedPayload = error else { return XCTFail("\(name): \(error)") }
            }
        }
    }

    static let v2Classes = ["success", "not a vault", "unsupported version", "bad slot count", "bad slot", "kdf parameters out of range",
                            "kdf budget exceeded", "no known slot", "truncated", "no slot for method", "invalid passphrase", "invalid key file",
                            "wrong passphrase", "wrong key file", "header tampered", "malformed header", "payload tampered", "malformed payload"]

    func run(_ vectors: [VectorFile], version: Int = 1) throws {
        for vector in vectors {
            let expect = try XCTUnwrap(vector.value("expect"), "\(vector.name): no expect line")
            let outcome: String
            do {
                let vault = try Vault.open(try vector.vaultBytes, with: try unlock(for: vector))
                outcome = "success"
                if version == 1 {
                    XCTAssertEqual(vault.entries.map(VectorFile.describe), vector.values("entry"), vector.name)
                } else {
                    XCTAssertEqual(vault.entries.map { VectorFile.describeV2($0, withID: version >= 4) }, vector.values("entry"), vector.name)
                    XCTAssertEqual(vault.members.map(VectorFile.describe), vector.values("member"), vector.name)
                    XCTAssertEqual(vault.list.identity.map { [VectorFile.describe($0)] } ?? [], vector.values("vault-identity"), vector.name)
                    XCTAssertEqual(vault.list.teams.flatMap(VectorFile.describe),
                                   vector.fields.filter { $0.key == "team" || $0.key == "team-member" }.map { "\($0.key): \($0.value)" }, vector.name)
                    XCTAssertEqual(vault.openedSealer.map { [VectorFile.hex($0)] } ?? [], vector.values("sealed-by"), vector.name)
                    XCTAssertEqual(vault.slotSummaries.map(VectorFile.describeV2), vector.values("slot"), vector.name)
                    XCTAssertEqual(vault.generation, vector.value("generation").flatMap { UInt64($0) }, vector.name)
                    XCTAssertEqual(vault.unlockedSlotID, vector.value("unlocked-slot").flatMap { UInt32($0) }, vector.name)
                }
            } catch let error as VaultError {
                outcome = VectorTests.expectation(for: error)
            }
            XCTAssertEqual(outcome, expect, vector.name)
        }
    }

    func unlock(for vector: VectorFile) throws -> Unlock {
        if let identity = vector.value("identity") {
            let secret = try XCTUnwrap(VectorFile.unhex(identity), "\(vector.name): identity is not hex")
            return .identity(try Identity(secretKey: try secret.withUnsafeBytes { try SecureBytes(copying: $0) }, created: 0))
        }
        if let keyFile = vector.value("key-file") {
            let bytes = Array(try Data(contentsOf: vector.directory.appendingPathComponent(keyFile)))
            return .keyFile(try bytes.withUnsafeBytes { try KeyFile(contents: $0) })
        }
        let passphrase = try XCTUnwrap(vector.value("passphrase"), "\(vector.name): no passphrase")
        // Version 2 writes passphrases in the percent form of its values (§9); version 1's never hold a `%`.
        let bytes = VectorFile.decode(passphrase)
        return .passphrase(try bytes.withUnsafeBytes { try SecureBytes(copying: $0) })
    }

    /// The spec's `expect:` word for each reader error.
    static func expectation(for error: VaultError) -> String {
        switch error {
        case .wrongPassphrase: "wrong passphrase"
        case .wrongKeyFile: "wrong key file"
        case .notAVault: "not a vault"
        case .unsupportedVersion: "unsupported version"
        case .kdfParametersOutOfRange, .unsupportedKDFAlgorithm: "kdf parameters out of range"
        case .kdfBudgetExceeded: "kdf budget exceeded"
        case .fileTooLarge: "too large"
        case .badSlotCount: "bad slot count"
        case .badSlot: "bad slot"
        case .noKnownSlot: "no known slot"
        case .noSlot, .notAMember: "no slot for method"
        case .invalidKeyFile: "invalid key file"
        case .invalidPassphrase: "invalid passphrase"
        case .malformedHeader: "malformed header"
        case .malformedPayload: "malformed payload"
        case .truncated: "truncated"
        case .headerTampered: "header tampered"
        case .payloadTampered: "payload tampered"
        default: "other: \(error)"
        }
    }
}
