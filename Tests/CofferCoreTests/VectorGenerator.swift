@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// Writes `Formats/vectors/` anew when COFFER_WRITE_VECTORS=1; otherwise skipped. Run it after a format
/// change (`make vectors`) and commit the result with the spec.
final class VectorGenerator: XCTestCase {
    let passphrase = "correct horse battery staple"

    func testWriteVectors() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["COFFER_WRITE_VECTORS"] == "1", "set COFFER_WRITE_VECTORS=1 to regenerate")
        let dir = VectorFile.directory
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let secretPass = try SecureBytes(copyingUTF8: passphrase)
        let kdf = KDFParameters(level: .interactive)

        var full = try Vault.create(passphrase: secretPass, kdf: kdf)
        for entry in try SampleEntries.make() { try full.add(entry) }
        let fullBytes = try full.seal()
        var empty = try Vault.create(passphrase: secretPass, kdf: kdf)
        let emptyBytes = try empty.seal()
        let keyFile = try KeyFile.generate()
        let otherKeyFile = try KeyFile.generate()
        var keyed = full
        try keyed.addKeyFileSlot(keyFile)
        let keyedBytes = try keyed.seal()
        var withUnknown = full
        withUnknown.appendUnknownSlot(type: 0x7F, body: Array("a later unlock method".utf8))
        let unknownBytes = try withUnknown.seal()
        let entryLines = full.entries.map { "entry: " + VectorFile.describe($0) }

        func write(_ name: String, _ bytes: [UInt8], _ lines: [String]) throws {
            try Data(bytes).write(to: dir.appendingPathComponent(name + ".coffer"))
            try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
        }
        func pass(_ expect: String, _ description: String, entries: [String] = []) -> [String] {
            ["description: " + description, "passphrase: " + passphrase, "expect: " + expect] + entries
        }
        func patched(_ bytes: [UInt8], _ offset: Int, _ value: [UInt8]) -> [UInt8] {
            var copy = bytes
            copy.replaceSubrange(offset..<(offset + value.count), with: value)
            return copy
        }
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        // Offsets in a file whose first slot is a passphrase slot (spec §2, §3.1).
        let opsOffset = 9 + 3 + 1, memOffset = 9 + 3 + 5, headerEnd = 9 + 3 + 101

        try write("empty", emptyBytes, pass("success", "a vault with no entries"))
        try write("entries", fullBytes, pass("success", "one entry of each kind, with a note, a path, a refresh token, a rotated secret and non-ASCII secrets", entries: entryLines))
        try write("wrong-passphrase", fullBytes, ["description: the entries vault opened with another passphrase", "passphrase: Correct horse battery staple", "expect: wrong passphrase"])
        try Data(try keyFile.contents().withUnsafeBytes { Array($0) }).write(to: dir.appendingPathComponent("keyfile-a.key"))
        try Data(try otherKeyFile.contents().withUnsafeBytes { Array($0) }).write(to: dir.appendingPathComponent("keyfile-b.key"))
        try write("keyfile", keyedBytes, ["description: a passphrase slot and a key-file slot, opened with the key file keyfile-a.key", "key-file: keyfile-a.key", "expect: success"] + entryLines)
        try write("keyfile-passphrase", keyedBytes, pass("success", "the keyfile vault opened with its passphrase", entries: entryLines))
        try write("wrong-keyfile", keyedBytes, ["description: the keyfile vault opened with another key file", "key-file: keyfile-b.key", "expect: wrong key file"])
        try write("unknown-slot", unknownBytes, pass("success", "an extra slot of unknown type 0x7f, skipped and covered by the header MAC", entries: entryLines))
        var unknownStripped = Array(unknownBytes)
        // Remove the unknown slot (type, length, 21-byte body) and fix the count: the MAC no longer matches.
        let unknownSlotLength = 3 + 21
        let unknownStart = headerEnd
        unknownStripped.removeSubrange(unknownStart..<(unknownStart + unknownSlotLength))
        unknownStripped[8] = 1
        try write("slot-removed", unknownStripped, pass("header tampered", "unknown-slot with its unknown slot cut out and the slot count set to 1, by a writer without the vault key"))
        try write("header-mac-flipped", patched(fullBytes, headerEnd, [fullBytes[headerEnd] ^ 0x01]), pass("header tampered", "the first byte of the header MAC flipped"))
        try write("payload-nonce-flipped", patched(fullBytes, headerEnd + 32, [fullBytes[headerEnd + 32] ^ 0x80]), pass("header tampered", "a bit of the payload nonce flipped"))
        try write("payload-flipped", patched(fullBytes, fullBytes.count - 1, [fullBytes[fullBytes.count - 1] ^ 0x01]), pass("payload tampered", "the last byte of the payload ciphertext flipped"))
        try write("payload-cut", Array(fullBytes.dropLast()), pass("payload tampered", "the last byte of the file removed"))
        try write("payload-extended", fullBytes + [0], pass("payload tampered", "a zero byte appended to the file"))
        try write("truncated-slot", Array(fullBytes.prefix(60)), pass("truncated", "the file cut inside the passphrase slot"))
        try write("truncated-after-header", Array(fullBytes.prefix(headerEnd + 40)), pass("truncated", "the file cut inside the payload nonce"))
        try write("version-2", patched(fullBytes, 6, le(UInt16(2))), pass("unsupported version", "version field set to 2"))
        try write("not-a-vault", Array("{\"http-basic\": {}}\n".utf8), pass("not a vault", "an auth.json file"))
        try write("zero-slots", patched(fullBytes, 8, [0]), pass("malformed header", "slot count 0"))
        try write("slot-length-wrong", patched(fullBytes, 10, le(UInt16(100))), pass("malformed header", "passphrase slot length 100 instead of 101"))
        try write("kdf-ops-too-low", patched(fullBytes, opsOffset, le(UInt32(1))), pass("kdf parameters out of range", "opslimit 1, below INTERACTIVE"))
        try write("kdf-ops-too-high", patched(fullBytes, opsOffset, le(UInt32(4_000_000_000))), pass("kdf parameters out of range", "opslimit 4e9, above the cap of 10"))
        try write("kdf-mem-too-low", patched(fullBytes, memOffset, le(UInt64(32 << 20))), pass("kdf parameters out of range", "memlimit 32 MiB, below INTERACTIVE"))
        try write("kdf-mem-too-high", patched(fullBytes, memOffset, le(UInt64(1) << 40)), pass("kdf parameters out of range", "memlimit 1 TiB, above the cap of 4 GiB"))
        try write("kdf-mem-unaligned", patched(fullBytes, memOffset, le(UInt64(64 << 20) + 1)), pass("kdf parameters out of range", "memlimit not a multiple of 1024"))
        try write("kdf-algorithm", patched(fullBytes, 12, [1]), pass("kdf parameters out of range", "algorithm 1 (Argon2i) instead of 2 (Argon2id)"))
    }
}

/// The entries of the `entries` vector and of the core tests: one of each kind, with every optional field.
enum SampleEntries {
    static func make() throws -> [Entry] {
        let t: Int64 = 1_796_000_000
        var keypair = Entry(name: "magento-alice", kind: .keypair, host: "repo.magento.com",
                            username: "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c", secret: try Secret(copying: "9f8e7d6c5b4a39281706f5e4d3c2b1a0"), created: t)
        keypair.note = "Alice's key, created for the 2.4.7 upgrade"
        keypair.history = [HistoryRecord(created: t - 86400, retired: t, username: "00000000000000000000000000000000",
                                         secret: try Secret(copying: "ffffffffffffffffffffffffffffffff"))]
        var download = Entry(name: "mageid-download", kind: .downloadToken, host: "www.magentocommerce.com",
                             username: "MAG123456789", secret: try Secret(copying: "tok:en/with@odd%chars"), created: t)
        download.enabled = false
        var login = Entry(name: "git:https/git.example.com", kind: .login, host: "git.example.com:8443",
                          username: "deploy bot", secret: try Secret(copying: "pässwörd ✓ = yes"), created: t)
        login.protocol = "https"
        login.path = "team/project.git"
        login.passwordExpiryUTC = t + 3600
        login.oauthRefreshToken = try Secret(copying: "refresh-123")
        login.origin = .git
        var github = Entry(name: "github", kind: .token, host: "github.com", username: nil, secret: try Secret(copying: "ghp_0123456789"), created: t)
        github.tokenType = .githubOAuth
        var bitbucket = Entry(name: "bitbucket", kind: .token, host: "bitbucket.org", username: "consumer-key-1", secret: try Secret(copying: "consumer-secret-1"), created: t)
        bitbucket.tokenType = .bitbucketOAuth
        bitbucket.origin = .imported
        bitbucket.rejectedAt = t + 60
        bitbucket.rejectedHost = "bitbucket.org"
        return [keypair, download, login, github, bitbucket]
    }
}
