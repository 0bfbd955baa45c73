import CofferSodium
import Foundation
import XCTest

/// The wrapper against answers computed by other implementations (`scripts/make-sodium-kat.py`).
final class KnownAnswerTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    /// The rows of a `.kat` file: space-separated hex fields (`-` is empty) or numbers.
    func rows(_ name: String) throws -> [[String]] {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        XCTAssertFalse(rows.isEmpty, "\(name) has no vectors")
        return rows
    }

    func testKeyedBLAKE2b() throws {
        for row in try rows("blake2b-keyed.kat") {
            let key = try secure(hex(row[0]))
            let mac = try hex(row[1]).withUnsafeBytes { try GenericHash.mac(key: key, message: $0) }
            XCTAssertEqual(mac, hex(row[2]))
            let derived = try GenericHash.keyedHash(key: key, message: hex(row[1]))
            XCTAssertEqual(derived.withUnsafeBytes { Array($0) }, hex(row[2]))
        }
    }

    func testArgon2id() throws {
        for row in try rows("argon2id.kat") {
            let key = try PasswordHash.deriveKey(
                passphrase: try secure(hex(row[0])), salt: hex(row[1]), opsLimit: UInt64(row[2])!, memLimit: UInt64(row[3])!)
            XCTAssertEqual(key.withUnsafeBytes { Array($0) }, hex(row[4]), "passphrase \(row[0])")
        }
    }

    func testSecretBoxSealAndOpen() throws {
        for row in try rows("secretbox.kat") {
            let key = try secure(hex(row[0]))
            let nonce = hex(row[1])
            let box = try hex(row[2]).withUnsafeBytes { try SecretBox.seal($0, nonce: nonce, key: key) }
            XCTAssertEqual(box, hex(row[3]))
            let opened = try SecretBox.open(box[...], nonce: nonce, key: key)
            XCTAssertEqual(opened.withUnsafeBytes { Array($0) }, hex(row[2]))
            // Any flipped bit fails authentication.
            for i in [0, box.count / 2, box.count - 1] {
                var bad = box
                bad[i] ^= 0x01
                XCTAssertThrowsError(try SecretBox.open(bad[...], nonce: nonce, key: key)) { error in
                    XCTAssertEqual(error as? SodiumError, .authenticationFailed)
                }
            }
        }
    }

    func testLengthsAreChecked() throws {
        let key = try SecureBytes.random(count: 32)
        XCTAssertThrowsError(try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try SecretBox.seal($0, nonce: [0], key: key) })
        XCTAssertThrowsError(try SecretBox.open([UInt8](repeating: 0, count: 8)[...], nonce: [UInt8](repeating: 0, count: 24), key: key)) {
            XCTAssertEqual($0 as? SodiumError, .authenticationFailed)
        }
        XCTAssertThrowsError(try PasswordHash.deriveKey(passphrase: key, salt: [1, 2, 3], opsLimit: 2, memLimit: 64 << 20))
    }

    func testSecureBytesAreZeroedOnAllocationAndRandomOtherwise() throws {
        let zero = try SecureBytes(count: 64)
        XCTAssertTrue(zero.withUnsafeBytes { $0.allSatisfy { $0 == 0 } })
        let a = try SecureBytes.random(count: 32), b = try SecureBytes.random(count: 32)
        XCTAssertFalse(a.constantTimeEquals(b))
        XCTAssertTrue(a.constantTimeEquals(try a.withUnsafeBytes { try SecureBytes(copying: $0) }))
        XCTAssertEqual(try SecureBytes(count: 0).count, 0)
    }

    func secure(_ bytes: [UInt8]) throws -> SecureBytes { try bytes.withUnsafeBytes { try SecureBytes(copying: $0) } }

    func hex(_ text: String) -> [UInt8] {
        if text == "-" { return [] }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}
