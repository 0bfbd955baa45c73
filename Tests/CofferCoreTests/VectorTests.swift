@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// Runs every vector in `Formats/vectors/` (spec §9) through one generic loop.
final class VectorTests: XCTestCase {
    func testEveryVector() throws {
        let vectors = try VectorFile.all()
        XCTAssertGreaterThanOrEqual(vectors.count, 12, "the vector corpus is missing")
        for vector in vectors {
            let expect = try XCTUnwrap(vector.value("expect"), "\(vector.name): no expect line")
            let outcome: String
            do {
                let vault = try Vault.open(try vector.vaultBytes, with: try unlock(for: vector))
                outcome = "success"
                XCTAssertEqual(vault.entries.map(VectorFile.describe), vector.values("entry"), vector.name)
            } catch let error as VaultError {
                outcome = VectorTests.expectation(for: error)
            }
            XCTAssertEqual(outcome, expect, vector.name)
        }
    }

    func unlock(for vector: VectorFile) throws -> Unlock {
        if let keyFile = vector.value("key-file") {
            let bytes = Array(try Data(contentsOf: VectorFile.directory.appendingPathComponent(keyFile)))
            return .keyFile(try bytes.withUnsafeBytes { try KeyFile(contents: $0) })
        }
        let passphrase = try XCTUnwrap(vector.value("passphrase"), "\(vector.name): no passphrase")
        return .passphrase(try SecureBytes(copyingUTF8: passphrase))
    }

    /// The spec's `expect:` word for each reader error.
    static func expectation(for error: VaultError) -> String {
        switch error {
        case .wrongPassphrase: "wrong passphrase"
        case .wrongKeyFile: "wrong key file"
        case .notAVault: "not a vault"
        case .unsupportedVersion: "unsupported version"
        case .kdfParametersOutOfRange, .unsupportedKDFAlgorithm: "kdf parameters out of range"
        case .malformedHeader: "malformed header"
        case .truncated: "truncated"
        case .headerTampered: "header tampered"
        case .payloadTampered: "payload tampered"
        default: "other: \(error)"
        }
    }
}
