@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// Writes `Formats/vectors-v4/` anew when COFFER_WRITE_VECTORS=1; otherwise skipped. Run it after a format
/// change (`make vectors`) and commit the result with the spec. The corpora of versions 1 to 3
/// (`Formats/vectors/`, `Formats/vectors-v2/`, `Formats/vectors-v3/`) are frozen: this version writes none.
final class VectorGenerator: XCTestCase {
    let passphrase = "correct horse battery staple"
    /// Slot creation times: fixed, so the descriptions are stable.
    let t: Int64 = 1_796_000_000

    func testWriteVectors() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["COFFER_WRITE_VECTORS"] == "1", "set COFFER_WRITE_VECTORS=1 to regenerate")
        let dir = VectorFile.v4Directory
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let secretPass = try SecureBytes(copyingUTF8: passphrase)
        let kdf = KDFParameters(level: .interactive)
        let keyFile = try KeyFile.generate(), otherKeyFile = try KeyFile.generate()
        for (name, k) in [("keyfile-a.key", keyFile), ("keyfile-b.key", otherKeyFile)] {
            try Data(try k.contents().withUnsafeBytes { Array($0) }).write(to: dir.appendingPathComponent(name))
        }
        var bad = try keyFile.contents().withUnsafeBytes { Array($0) }
        for i in KeyFile.prefix.utf8.count..<(bad.count - 1) where (0x61...0x66).contains(bad[i]) { bad[i] -= 0x20 }
        try Data(bad).write(to: dir.appendingPathComponent("keyfile-uppercase.key"))
        try Data(bad.dropLast()).write(to: dir.appendingPathComponent("keyfile-no-newline.key"))

        func write(_ name: String, _ bytes: [UInt8], _ lines: [String]) throws {
            try Data(bytes).write(to: dir.appendingPathComponent(name + ".coffer"))
            try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
        }
        /// `expect: success` lines for what `bytes` opens to with `unlock`.
        func success(_ bytes: [UInt8], _ unlock: Unlock) throws -> [String] {
            let v = try Vault.open(bytes, with: unlock)
            return ["expect: success", "generation: \(v.generation)"] + (v.unlockedSlotID.map { ["unlocked-slot: \($0)"] } ?? [])
                + (v.openedSealer.map { ["sealed-by: " + VectorFile.hex($0)] } ?? [])
                + v.slotSummaries.map { "slot: " + VectorFile.describeV2($0) } + v.members.map { "member: " + VectorFile.describe($0) }
                + v.entries.map { "entry: " + VectorFile.describeV2($0) } + (v.list.identity.map { ["vault-identity: " + VectorFile.describe($0)] } ?? [])
                + v.list.teams.flatMap(VectorFile.describe)
        }
        let pass = "passphrase: " + VectorFile.encode(Array(passphrase.utf8))
        func withPass(_ description: String, _ expect: String) -> [String] { ["description: " + description, pass, "expect: " + expect] }
        func withKey(_ description: String, _ key: String, _ expect: String) -> [String] { ["description: " + description, "key-file: " + key, "expect: " + expect] }
        func patched(_ bytes: [UInt8], _ offset: Int, _ value: [UInt8]) -> [UInt8] {
            var copy = bytes
            copy.replaceSubrange(offset..<(offset + value.count), with: value)
            return copy
        }
        func flipped(_ bytes: [UInt8], _ offset: Int, _ mask: UInt8 = 0x01) -> [UInt8] { patched(bytes, offset, [bytes[offset] ^ mask]) }
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

        // The main vault: a passphrase slot (0, "owner") and a key-file slot (1, "deploy-prod"), one entry of
        // each kind with every field.
        var full = try Vault.create(passphrase: secretPass, kdf: kdf, label: "owner", now: t)
        for entry in try SampleEntries.makeV4() { try full.add(entry) }
        try full.addKeyFileSlot(keyFile, label: "deploy-prod", now: t + 60)
        let fullBytes = try full.seal()
        var empty = try Vault.create(passphrase: secretPass, kdf: kdf, now: t)
        let emptyBytes = try empty.seal()

        // Offsets (v2 §2, §3): fixed header 37 bytes; slot 0 (passphrase) 7 + 318; slot 1 (key file) 7 + 305.
        let slot0 = VaultFormat.headerFixedBytes, body0 = slot0 + 7
        let slot1 = body0 + VaultFormat.passphraseSlotBodyBytes, body1 = slot1 + 7
        let headerEnd = body1 + VaultFormat.keyFileSlotBodyBytes
        XCTAssertEqual(try VaultFile(parsing: fullBytes).headerBytes.count, headerEnd)

        try write("empty", emptyBytes, ["description: a vault with one passphrase slot and no entries", pass] + success(emptyBytes, .passphrase(secretPass)))
        try write("entries", fullBytes, ["description: one entry of each kind and token type, every optional field, a rotated secret with its username, a non-UTF-8 secret; opened with the passphrase", pass]
            + success(fullBytes, .passphrase(secretPass)))
        try write("keyfile", fullBytes, ["description: the entries vault opened with its key-file slot", "key-file: keyfile-a.key"] + success(fullBytes, .keyFile(keyFile)))
        try write("wrong-passphrase", fullBytes, ["description: the entries vault opened with another passphrase", "passphrase: Correct%20horse%20battery%20staple", "expect: wrong passphrase"])
        try write("wrong-keyfile", fullBytes, withKey("the entries vault opened with another key file", "keyfile-b.key", "wrong key file"))
        try write("keyfile-uppercase", fullBytes, withKey("a key file whose hex digits are upper case", "keyfile-uppercase.key", "invalid key file"))
        try write("keyfile-no-newline", fullBytes, withKey("a key file without its final line feed (81 bytes)", "keyfile-no-newline.key", "invalid key file"))
        try write("no-keyfile-slot", emptyBytes, withKey("the empty vault, which has no key-file slot, opened with a key file", "keyfile-a.key", "no slot for method"))

        // Passphrases: NFC, and bytes that are not UTF-8.
        let nfc = "caf\u{E9} cr\u{E8}me"
        var normalized = try Vault.create(passphrase: try SecureBytes(copyingUTF8: nfc), kdf: kdf, now: t)
        let normalizedBytes = try normalized.seal()
        let nfd = Array("cafe\u{301} cre\u{300}me".utf8)
        try write("passphrase-nfd", normalizedBytes, ["description: created with the NFC passphrase 'café crème', opened with its NFD spelling (e + U+0301, e + U+0300)",
                                                      "passphrase: " + VectorFile.encode(nfd)] + success(normalizedBytes, .passphrase(try nfd.withUnsafeBytes { try SecureBytes(copying: $0) })))
        try write("passphrase-not-utf8", normalizedBytes, ["description: a passphrase of bytes FF FE, not UTF-8, on a vault of version-2 slots only", "passphrase: %FF%FE", "expect: invalid passphrase"])

        // Slots: ids kept over removals, an unknown type, a format-1 slot carried over.
        var renumbered = full
        try renumbered.addKeyFileSlot(otherKeyFile, label: "ci", now: t + 120)
        try renumbered.addKeyFileSlot(try KeyFile.generate(), label: "laptop", now: t + 180)
        try renumbered.removeSlot(id: 2)
        let renumberedBytes = try renumbered.seal()
        try write("slot-removed-ids-kept", renumberedBytes, ["description: slot 2 (keyfile-b) added then removed, which re-keyed the vault; slot 3 keeps its id and next-slot-id is 4", "key-file: keyfile-a.key"]
            + success(renumberedBytes, .keyFile(keyFile)))
        try write("slot-removed-keyfile", renumberedBytes, withKey("the same vault opened with the removed slot's key file", "keyfile-b.key", "wrong key file"))
        var withUnknown = full
        try withUnknown.appendUnknownSlot(type: 0x7F, body: Array("a later unlock method".utf8))
        let unknownBytes = try withUnknown.seal()
        try write("unknown-slot", unknownBytes, ["description: an extra slot of unknown type 0x7f (id 2, 21-byte body), skipped and covered by the header MAC", pass]
            + success(unknownBytes, .passphrase(secretPass)))
        let v1 = Array(try Data(contentsOf: VectorFile.v1Directory.appendingPathComponent("keyfile.coffer")))
        let v1Key = try Array(try Data(contentsOf: VectorFile.v1Directory.appendingPathComponent("keyfile-a.key"))).withUnsafeBytes { try KeyFile(contents: $0) }
        try Data(try v1Key.contents().withUnsafeBytes { Array($0) }).write(to: dir.appendingPathComponent("keyfile-v1.key"))
        var upgraded = try Vault.open(v1, with: .keyFile(v1Key))
        let upgradedBytes = try upgraded.seal()
        try write("upgraded-legacy-slot", upgradedBytes, ["description: the version-1 keyfile vector written once after opening it with its key file: slot 1 converted (type 0x02), slot 0 carried as a format-1 passphrase slot (type 0x11); opened with the passphrase", pass]
            + success(upgradedBytes, .passphrase(secretPass)))
        try write("upgraded-keyfile", upgradedBytes, ["description: the same vault opened with the converted key-file slot", "key-file: keyfile-v1.key"] + success(upgradedBytes, .keyFile(v1Key)))

        // Rules without a key, in the order of §6.
        try write("not-a-vault", Array("{\"http-basic\": {}}\n".utf8), withPass("an auth.json file", "not a vault"))
        try write("magic-prefix", Array("COFF".utf8), withPass("the first four bytes of the magic: a prefix of COFFER", "truncated"))
        try write("version-5", patched(fullBytes, 6, le(UInt16(5))), withPass("version field set to 5", "unsupported version"))
        try write("zero-slots", patched(fullBytes, 36, [0]), withPass("slot count 0", "bad slot count"))
        try write("slot-length-wrong", patched(fullBytes, slot0 + 5, le(UInt16(317))), withPass("passphrase slot body length 317 instead of 318", "bad slot"))
        try write("slot-id-duplicate", patched(fullBytes, slot1 + 1, le(UInt32(0))), withPass("slot 1 given id 0, which slot 0 has", "bad slot"))
        try write("slot-id-not-below-next", patched(fullBytes, slot1 + 1, le(UInt32(2))), withPass("slot 1 given id 2 while next-slot-id is 2", "bad slot"))
        try write("kdf-algorithm", patched(fullBytes, body0, [1]), withPass("algorithm 1 (Argon2i) instead of 2 (Argon2id)", "kdf parameters out of range"))
        try write("kdf-ops-too-low", patched(fullBytes, body0 + 1, le(UInt32(1))), withPass("opslimit 1, below INTERACTIVE", "kdf parameters out of range"))
        try write("kdf-ops-too-high", patched(fullBytes, body0 + 1, le(UInt32(11))), withPass("opslimit 11, above the cap of 10", "kdf parameters out of range"))
        try write("kdf-mem-too-low", patched(fullBytes, body0 + 5, le(UInt64(32 << 20))), withPass("memlimit 32 MiB, below INTERACTIVE", "kdf parameters out of range"))
        try write("kdf-mem-too-high", patched(fullBytes, body0 + 5, le(UInt64(1) << 40)), withPass("memlimit 1 TiB, above the cap of 4 GiB", "kdf parameters out of range"))
        try write("kdf-mem-unaligned", patched(fullBytes, body0 + 5, le(UInt64(64 << 20) + 1)), withPass("memlimit not a multiple of 1024", "kdf parameters out of range"))
        let kdfBody = [0x02] + le(UInt32(2)) + le(UInt64(4) << 30) + [UInt8](repeating: 7, count: 16)
        var budget = Array("COFFER".utf8) + le(VaultFormat.version) + [UInt8](repeating: 9, count: 16) + le(UInt64(1)) + le(UInt32(16)) + [16]
        for id in 0..<16 { budget += [0x01] + le(UInt32(id)) + le(UInt16(318)) + kdfBody + [UInt8](repeating: 1, count: 289) }
        budget += [UInt8](repeating: 0, count: 76)
        try write("kdf-budget", budget, withPass("16 passphrase slots at opslimit 2 and 4 GiB: 128 GiB-passes, over the budget of 40; refused before any KDF", "kdf budget exceeded"))
        var unknownOnly = Array("COFFER".utf8) + le(VaultFormat.version) + [UInt8](repeating: 9, count: 16) + le(UInt64(1)) + le(UInt32(1)) + [1]
        unknownOnly += [0x7F] + le(UInt32(0)) + le(UInt16(4)) + Array("late".utf8) + [UInt8](repeating: 0, count: 76)
        try write("unknown-slots-only", unknownOnly, withPass("one slot, of unknown type 0x7f", "no known slot"))
        try write("truncated-slot", Array(fullBytes.prefix(body0 + 40)), withPass("the file cut inside the passphrase slot", "truncated"))
        try write("truncated-after-header", Array(fullBytes.prefix(headerEnd + 40)), withPass("the file cut inside the payload nonce", "truncated"))

        // Rules with a key.
        try write("header-mac-flipped", flipped(fullBytes, headerEnd), withPass("the first byte of the header MAC flipped", "header tampered"))
        try write("payload-nonce-flipped", flipped(fullBytes, headerEnd + 32, 0x80), withPass("a bit of the payload nonce flipped", "header tampered"))
        try write("generation-changed", patched(fullBytes, 24, le(UInt64(99))), withPass("generation set to 99", "header tampered"))
        try write("vault-id-flipped", flipped(fullBytes, 8), withKey("a bit of the vault id flipped: the key-file slot's tag no longer verifies", "keyfile-a.key", "header tampered"))
        try write("slot-tag-flipped", flipped(fullBytes, body0 + 29 + 32 + 80), withPass("a bit of the passphrase slot's tag flipped", "header tampered"))
        try write("sealed-key-flipped", flipped(fullBytes, body1 + 16 + 32 + 40), withKey("a bit inside the key-file slot's sealed vault key flipped", "keyfile-a.key", "header tampered"))
        var cut = fullBytes
        cut.removeSubrange(slot1..<headerEnd)
        cut[36] = 1
        try write("slot-cut", cut, withPass("slot 1 cut out and the slot count set to 1, by a writer without the vault key", "header tampered"))
        try write("forged-sealed-key", try forgedSealedKey(fullBytes), withPass("a vault key of an outsider's sealed to the passphrase slot's public key, the header MAC made with it, the tag left: the tag does not verify", "header tampered"))
        var badLabel = full
        badLabel.infos[1]?.label = "bad\u{1}label"
        try write("slot-label-control", try badLabel.seal(), withPass("slot 1's label holds U+0001, written by a holder of the vault key", "malformed header"))
        var plantedAuthKey = full
        plantedAuthKey.infos[0]?.authKey = try SecureBytes.random(count: 32)
        try write("slot-info-auth-key", try plantedAuthKey.seal(), withPass("slot 0's info holds a random auth key, not the one its passphrase derives, written by a holder of the vault key", "malformed header"))
        try write("payload-flipped", flipped(fullBytes, fullBytes.count - 1), withPass("the last byte of the payload ciphertext flipped", "payload tampered"))
        try write("payload-cut", Array(fullBytes.dropLast()), withPass("the last byte of the file removed", "payload tampered"))
        try write("payload-extended", fullBytes + [0], withPass("a zero byte appended to the file", "payload tampered"))

        // Payloads that break §5, sealed with the vault key (so only the payload rules can refuse them).
        func field(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] { [tag] + le(UInt32(value.count)) + value }
        func text(_ tag: UInt8, _ s: String) -> [UInt8] { field(tag, Array(s.utf8)) }
        func entryBytes(_ fields: [[UInt8]]) -> [UInt8] { let body = fields.flatMap { $0 }; return le(UInt32(body.count)) + body }
        func payload(_ entries: [[UInt8]], trailing: [UInt8] = []) -> [UInt8] { le(UInt32(entries.count)) + entries.flatMap { $0 } + trailing }
        let base: [[UInt8]] = [text(0x01, "a"), field(0x02, [3]), field(0x03, [0]), field(0x04, le(t)), field(0x05, le(t)), field(0x07, [0]),
                               text(0x10, "https"), text(0x11, "example.com"), text(0x13, "u"), text(0x20, "p")]
        let entryID = field(0x0A, Array(0x10...0x1F))
        /// The base login changed, then given its id (version 4), placed in tag order before the first field above 0x0A.
        func login(id: [UInt8]? = nil, _ change: (inout [[UInt8]]) -> Void) -> [UInt8] {
            var f = base
            change(&f)
            let idField = id ?? entryID
            if !idField.isEmpty { f.insert(idField, at: f.firstIndex { $0[0] > 0x0A } ?? f.count) }
            return entryBytes(f)
        }
        let identityField = field(0x01, le(t) + Array(repeating: 0x42, count: 32))
        /// A team record (§11.6): name, path, vault id, generation 7, seen, members (public key of 32 times `byte`).
        func teamRecord(_ name: String, members: [(String, UInt8)], without: UInt8? = nil) -> [UInt8] {
            var fields: [(UInt8, [UInt8])] = [(0x01, Array(name.utf8))]
            fields.append((0x02, Array("/srv/team/\(name).coffer".utf8)))
            fields.append((0x03, [UInt8](repeating: 0x5A, count: 16)))
            fields.append((0x04, le(UInt64(7))))
            fields.append((0x05, le(t)))
            for (member, byte) in members {
                let value: [UInt8] = [UInt8](repeating: byte, count: 32) + Array(member.utf8)
                fields.append((0x06, value))
            }
            fields.append((0x07, le(UInt64(3))))
            fields.append((0x08, [UInt8](repeating: 0xCC, count: 32)))
            var out: [UInt8] = []
            for (tag, value) in fields where tag != without { out += field(tag, value) }
            return out
        }
        let malformed: [(String, String, [UInt8])] = [
            ("payload-valid-login", "control: a well-formed login, which opens", payload([login { _ in }])),
            ("payload-reader-leniency", "values a reader accepts though no writer may add them (§7.3): host 'a example', protocol '1x', a note with U+009B, a password expiry of 2^62",
             payload([login { $0[6] = text(0x10, "1x"); $0[7] = text(0x11, "a example"); $0.insert(text(0x06, "csi \u{9B}"), at: 5); $0.insert(field(0x15, le(Int64(1) << 62)), at: 10) }])),
            ("payload-unknown-tag", "a field of tag 0x17, which no entry has", payload([login { $0.insert(field(0x17, [0]), at: 9) }])),
            ("payload-out-of-order", "host (0x11) before protocol (0x10)", payload([login { $0.swapAt(6, 7) }])),
            ("payload-repeated-field", "the username field twice", payload([login { $0.insert(text(0x13, "v"), at: 8) }])),
            ("payload-duplicate-name", "two entries named a", payload([login { _ in }, login { _ in }])),
            ("payload-trailing-bytes", "one byte after the last entry", payload([login { _ in }], trailing: [0])),
            ("payload-entry-count", "an entry count of 2 with one entry", le(UInt32(2)) + login { _ in }),
            ("payload-missing-state", "no state field (0x03)", payload([login { $0.remove(at: 2) }])),
            ("payload-bad-name", "the name 'a b' (a space)", payload([login { $0[0] = text(0x01, "a b") }])),
            ("payload-name-starts-with-dot", "the name '.a'", payload([login { $0[0] = text(0x01, ".a") }])),
            ("payload-unknown-kind", "kind 5", payload([login { $0[1] = field(0x02, [5]) }])),
            ("payload-state-2", "state 2", payload([login { $0[2] = field(0x03, [2]) }])),
            ("payload-time-size", "created of 4 bytes", payload([login { $0[3] = field(0x04, le(UInt32(1))) }])),
            ("payload-control-in-username", "a username holding U+0009 (tab)", payload([login { $0[8] = text(0x13, "a\tb") }])),
            ("payload-empty-username", "a keypair with an empty username (only a login's may be empty)",
             payload([login { $0[1] = field(0x02, [1]); $0[8] = text(0x13, ""); $0.remove(at: 6) }])),
            ("payload-login-empty-username-and-password", "a login with an empty username and an empty password, as git stores username= password= (version 3)",
             payload([login { $0[8] = text(0x13, ""); $0[9] = field(0x20, []) }])),
            ("payload-authtype-without-username", "a login with authtype Bearer and no username: git's credential (version 3)",
             payload([login { $0.remove(at: 8); $0.insert(text(0x16, "Bearer"), at: 8) }])),
            ("payload-authtype-on-download-token", "a download token with an authtype (a login-only field)",
             payload([login { $0[1] = field(0x02, [2]); $0.remove(at: 6); $0.insert(text(0x16, "Bearer"), at: 8) }])),
            ("payload-authtype-empty", "a login with an authtype of 0 bytes (text is never empty)",
             payload([login { $0.insert(text(0x16, ""), at: 9) }])),
            ("payload-login-history-empty", "a login whose history record holds an empty username and an empty secret (version 3)",
             payload([login { $0.append(field(0x30, field(0x04, le(t)) + field(0x13, []) + field(0x20, []) + field(0x31, le(t)))) }])),
            ("payload-login-empty-refresh-token", "a login with an oauth refresh token of 0 bytes (only its username and secret may be empty)",
             payload([login { $0.append(field(0x21, [])) }])),
            ("payload-authtype-on-keypair", "a keypair with an authtype (a login-only field)",
             payload([login { $0[1] = field(0x02, [1]); $0.remove(at: 6); $0.insert(text(0x16, "Bearer"), at: 8) }])),
            ("payload-empty-note", "an empty note (an entry without a note has no 0x06 field)", payload([login { $0.insert(text(0x06, ""), at: 5) }])),
            ("payload-not-utf8", "a note of the bytes C3 28 (not UTF-8)", payload([login { $0.insert(field(0x06, [0xC3, 0x28]), at: 5) }])),
            ("payload-host-slash", "the host example.com/x", payload([login { $0[7] = text(0x11, "example.com/x") }])),
            ("payload-empty-secret", "a download token whose secret is 0 bytes (only a login's may be empty)",
             payload([login { $0[1] = field(0x02, [2]); $0[9] = field(0x20, []); $0.remove(at: 6) }])),
            ("payload-login-without-protocol", "a login without a protocol", payload([login { $0.remove(at: 6) }])),
            ("payload-keypair-with-path", "a keypair with a path (a login-only field)", payload([login { $0[1] = field(0x02, [1]); $0.remove(at: 6); $0.insert(text(0x12, "x"), at: 7) }])),
            ("payload-token-without-type", "a token without a token type", payload([login { $0[1] = field(0x02, [4]); $0.remove(at: 6); $0.remove(at: 7) }])),
            ("payload-rejected-without-host", "rejected-at (0x08) without rejected-host (0x09)", payload([login { $0.insert(field(0x08, le(t)), at: 6) }])),
            ("payload-history-without-retired", "a history record without its retired field (0x31)",
             payload([login { $0.append(field(0x30, field(0x04, le(t)) + field(0x20, Array("old".utf8)))) }])),
            ("payload-truncated-field", "an entry whose last field's length runs past the entry", payload([login { $0[9] = [0x20] + le(UInt32(9)) + Array("p".utf8) }])),
            // Version 4 (§11.4).
            ("payload-without-id", "a login without its entry id (0x0A), which every version-4 entry has", payload([login(id: []) { _ in }])),
            ("payload-id-size", "an entry id of 15 bytes", payload([login(id: field(0x0A, Array(repeating: 7, count: 15))) { _ in }])),
            ("payload-duplicate-id", "two entries, named a and b, with the same id", payload([login { _ in }, login { $0[0] = text(0x01, "b") }])),
            ("payload-exposure", "a login exposed to two removed members, carol and dave (two 0x32 records after the history)",
             payload([login { $0.append(field(0x32, text(0x33, "carol") + field(0x34, le(t)))); $0.append(field(0x32, text(0x33, "dave") + field(0x34, le(t + 60)))) }])),
            ("payload-exposure-without-since", "an exposure record without its time (0x34)", payload([login { $0.append(field(0x32, text(0x33, "carol"))) }])),
            ("payload-exposure-before-history", "an exposure record (0x32) before a history record (0x30)",
             payload([login { $0.append(field(0x32, text(0x33, "carol") + field(0x34, le(t)))); $0.append(field(0x30, field(0x04, le(t)) + field(0x20, Array("old".utf8)) + field(0x31, le(t)))) }])),
            ("payload-identity", "one login, then the vault's identity field (0x01: created, then the X25519 secret key 42 42 ... 42)", payload([login { _ in }], trailing: identityField)),
            ("payload-identity-short", "an identity field of 39 bytes", payload([login { _ in }], trailing: field(0x01, Array(repeating: 0x42, count: 39)))),
            ("payload-identity-twice", "the identity field twice", payload([login { _ in }], trailing: identityField + identityField)),
            ("payload-unknown-vault-field", "a vault field of tag 0x03 after the entries", payload([login { _ in }], trailing: field(0x03, [0]))),
            ("payload-team", "the identity field, then two team fields (0x02): acme with members alice and bob, and beta with none",
             payload([login { _ in }], trailing: identityField + field(0x02, teamRecord("acme", members: [("alice", 0xA1), ("bob", 0xB2)])) + field(0x02, teamRecord("beta", members: [])))),
            ("payload-team-bad-name", "a team field named 'a/b' (a team name has no /)", payload([login { _ in }], trailing: field(0x02, teamRecord("a/b", members: [])))),
            ("payload-team-missing-generation", "a team field without its generation (0x04)", payload([login { _ in }], trailing: field(0x02, teamRecord("acme", members: [], without: 0x04)))),
            ("payload-team-missing-epoch", "a team field without its epoch (0x07) and key check (0x08)", payload([login { _ in }], trailing: field(0x02, teamRecord("acme", members: [], without: 0x07).dropLast(37)))),
            ("payload-team-key-check-short", "a team field whose key check is cut short: 31 of the 32 bytes its length says", payload([login { _ in }], trailing: field(0x02, Array(teamRecord("acme", members: []).dropLast(1))))),
            ("payload-team-twice", "two team fields named acme", payload([login { _ in }], trailing: field(0x02, teamRecord("acme", members: [])) + field(0x02, teamRecord("acme", members: [])))),
            ("payload-team-before-identity", "a team field, then the identity field (vault fields ascend)", payload([login { _ in }], trailing: field(0x02, teamRecord("acme", members: [])) + identityField)),
        ]
        for (name, description, plaintext) in malformed {
            let expect = ["payload-valid-login", "payload-reader-leniency", "payload-login-empty-username-and-password",
                          "payload-authtype-without-username", "payload-login-history-empty", "payload-exposure", "payload-identity", "payload-team"].contains(name) ? "success" : "malformed payload"
            let bytes = try resealed(fullBytes, key: full.vaultKey, payload: plaintext)
            try write(name, bytes, ["description: " + description, pass] + (expect == "success" ? try success(bytes, .passphrase(secretPass)) : ["expect: " + expect]))
        }
        try writeTeamVectors(write: write, success: success)
    }

    /// Team vaults (§11): member slots opened by identity, removal, forgeries.
    func writeTeamVectors(write: (String, [UInt8], [String]) throws -> Void, success: ([UInt8], Unlock) throws -> [String]) throws {
        func identity(_ byte: UInt8) throws -> Identity {
            try Identity(secretKey: try [UInt8](repeating: byte, count: 32).withUnsafeBytes { try SecureBytes(copying: $0) }, created: t)
        }
        func line(_ i: Identity) -> String { "identity: " + (try! i.secretKey.withUnsafeBytes { VectorFile.hex(Array($0)) }) }
        let alice = try identity(0xA1), bob = try identity(0xB2), carol = try identity(0xC3), outsider = try identity(0xEE)
        let keyFile = try KeyFile.generate()
        var team = try Vault.createTeam(identity: alice, name: "alice", now: t)
        try team.addMember(name: "bob", publicKey: bob.publicKey, now: t + 60)
        try team.addMember(name: "carol", publicKey: carol.publicKey, now: t + 120)
        try team.addKeyFileSlot(keyFile, label: "ci", now: t + 180)
        for entry in try SampleEntries.make() { try team.add(entry) }
        let teamBytes = try team.seal()
        try Data(try keyFile.contents().withUnsafeBytes { Array($0) }).write(to: VectorFile.v4Directory.appendingPathComponent("keyfile-team.key"))
        let members = "a team vault: member slots alice (0, sealed by herself), bob (1) and carol (2), both added and sealed by alice, a key-file slot ci (3)"
        try write("team-alice", teamBytes, ["description: \(members); opened with alice's identity", line(alice)] + success(teamBytes, .identity(alice)))
        try write("team-bob", teamBytes, ["description: the same vault opened with bob's identity", line(bob)] + success(teamBytes, .identity(bob)))
        try write("team-keyfile", teamBytes, ["description: the same vault opened with the ci key file", "key-file: keyfile-team.key"] + success(teamBytes, .keyFile(keyFile)))
        try write("team-outsider", teamBytes, ["description: the same vault and an identity with no member slot", line(outsider), "expect: no slot for method"])

        var removed = try Vault.open(teamBytes, with: .identity(bob))
        try removed.removeMember(named: "carol", now: t + 300)
        let removedBytes = try removed.seal()
        try write("team-carol-removed", removedBytes, ["description: bob removed carol, which re-keyed the vault: every member slot sealed again by bob, every entry exposed to carol", line(alice)]
            + success(removedBytes, .identity(alice)))
        try write("team-removed-identity", removedBytes, ["description: the vault after carol's removal, opened with carol's identity", line(carol), "expect: no slot for method"])

        // Offsets: header 37; slot 0 (alice) 7 + 362: sealer 32, epoch 8, public key 32, sealed key 80, tag 32, info 178.
        let body0 = VaultFormat.headerFixedBytes + 7
        func flipped(_ offset: Int) -> [UInt8] { var b = teamBytes; b[offset] ^= 1; return b }
        try write("team-tag-flipped", flipped(body0 + 40 + 32 + 80), ["description: a bit of alice's slot tag flipped", line(alice), "expect: header tampered"])
        try write("team-epoch-changed", flipped(body0 + 32), ["description: alice's slot's epoch changed from 1 to 0: the tag covers it", line(alice), "expect: header tampered"])
        try write("team-sealer-flipped", flipped(body0), ["description: a bit of the sealer key of alice's slot flipped: the tag key differs", line(alice), "expect: header tampered"])
        try write("team-info-flipped", flipped(body0 + 40 + 144 + 30), ["description: a bit inside alice's slot info flipped: the header MAC fails", line(alice), "expect: header tampered"])

        // An outsider's forgery: their own vault key sealed to alice and tagged with the key they share with
        // her, they being the sealer. It opens at the format level; the sealer is not a member alice knows,
        // which is what a member's remembered team state refuses (§11.5).
        var forged = try Vault.createTeam(identity: outsider, name: "mallory", now: t)
        try forged.addMember(name: "alice", publicKey: alice.publicKey, now: t)
        try forged.addMember(name: "bob", publicKey: bob.publicKey, now: t)
        let forgedBytes = try forged.seal()
        try write("team-forged-by-outsider", forgedBytes, ["description: a new vault made by an outsider from alice's and bob's public keys alone: it opens, sealed by the outsider's key, which alice's remembered state does not know", line(alice)]
            + success(forgedBytes, .identity(alice)))

        var big = try Vault.createTeam(identity: alice, name: "alice", now: t)
        for i in 1..<20 { try big.addMember(name: "member-\(i)", publicKey: try identity(UInt8(i)).publicKey, now: t + Int64(i)) }
        let bigBytes = try big.seal()
        try write("team-20-members", bigBytes, ["description: 20 member slots, more than the 16 slots of versions 1 to 3", line(try identity(7))] + success(bigBytes, .identity(try identity(7))))

        var duplicate = team
        duplicate.infos[2]?.label = "bob"
        try write("team-duplicate-member-name", try duplicate.seal(), ["description: carol's slot renamed bob by a holder of the vault key: two members named bob", line(alice), "expect: malformed header"])
        // Bob's slot given epoch 5 while alice's holds 1, the header MAC made again with the vault key.
        var file = try VaultFile(parsing: teamBytes)
        guard case .member(let sealer, _, let r) = file.slots[1].body else { throw VaultError.noKnownSlot }
        file.slots[1].body = .member(sealer: sealer, epoch: 5, r)
        let header = VaultFile.encodeHeader(vaultID: file.vaultID, generation: file.generation, nextSlotID: file.nextSlotID, slots: file.slots, infos: file.slots.map { $0.sealedInfo ?? [] })
        let keys = try SubKeys(vaultKey: team.vaultKey, version: VaultFormat.version)
        try write("team-epochs-differ", header + (try keys.headerMAC(header, payloadNonce: file.payloadNonce)) + file.payloadNonce + Array(file.payloadBox),
                  ["description: bob's slot holds epoch 5 and alice's epoch 1, by a holder of the vault key", line(alice), "expect: malformed header"])
        var unnamed = team
        unnamed.infos[1]?.label = ""
        try write("team-member-without-name", try unnamed.seal(), ["description: bob's slot with an empty name", line(alice), "expect: malformed header"])
    }

    /// `bytes` with its payload replaced by `plaintext`, sealed and authenticated with the vault key.
    func resealed(_ bytes: [UInt8], key: SecureBytes, payload plaintext: [UInt8]) throws -> [UInt8] {
        let file = try VaultFile(parsing: bytes)
        let keys = try SubKeys(vaultKey: key, version: VaultFormat.version)
        let nonce = try Random.bytes(VaultFormat.nonceBytes)
        let box = try plaintext.withUnsafeBytes { try SecretBox.seal($0, nonce: nonce, key: keys.payload) }
        return file.headerBytes + (try keys.headerMAC(file.headerBytes, payloadNonce: nonce)) + nonce + box
    }

    /// An outsider's forgery: their own vault key sealed to slot 0's public key, everything authenticated
    /// with it, the slot's tag kept (they cannot make one).
    func forgedSealedKey(_ bytes: [UInt8]) throws -> [UInt8] {
        let file = try VaultFile(parsing: bytes)
        let forged = try SecureBytes.random(count: 32)
        var slots = file.slots
        guard case .passphrase(let kdf, let salt, var r) = slots[0].body else { throw VaultError.noKnownSlot }
        r.sealedKey = try SealedBox.seal(forged, to: r.publicKey)
        slots[0].body = .passphrase(kdf, salt: salt, r)
        let header = VaultFile.encodeHeader(vaultID: file.vaultID, generation: file.generation, nextSlotID: file.nextSlotID,
                                            slots: slots, infos: slots.map { $0.sealedInfo ?? [] })
        let keys = try SubKeys(vaultKey: forged, version: VaultFormat.version)
        let nonce = try Random.bytes(VaultFormat.nonceBytes)
        let box = try [0, 0, 0, 0].withUnsafeBytes { try SecretBox.seal($0, nonce: nonce, key: keys.payload) }
        return header + (try keys.headerMAC(header, payloadNonce: nonce)) + nonce + box
    }
}

/// The entries of the vectors and of the core tests: one of each kind, with every optional field.
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

    /// `makeV3()` and what version 4 adds: an entry exposed to two removed members.
    static func makeV4() throws -> [Entry] {
        var entries = try makeV3()
        entries[0].exposures = [Exposure(member: "carol", since: 1_796_000_300), Exposure(member: "dave smith", since: 1_796_000_360)]
        return entries
    }

    /// `makeV2()` and what version 3 adds: logins as git stores them with an empty username and password,
    /// and with an `authtype` credential, without and with a username.
    static func makeV3() throws -> [Entry] {
        let t: Int64 = 1_796_000_000
        var entries = try makeV2()
        var empty = Entry(name: "git:https/sso.example.com/", kind: .login, host: "sso.example.com", username: "",
                          secret: Secret(try SecureBytes(count: 0)), created: t)
        empty.protocol = "https"
        empty.origin = .git
        var bearer = Entry(name: "git:https/git.example.com/bearer", kind: .login, host: "git.example.com", username: nil,
                           secret: try Secret(copying: "random-token"), created: t)
        bearer.protocol = "https"
        bearer.authtype = "Bearer"
        bearer.origin = .git
        var named = bearer
        named.name = "git:https/git.example.com/foobar"
        named.username = "foobar"
        named.authtype = "Digest"
        named.secret = try Secret(copying: "username=\"foobar\", response=\"0a4f113b\"")
        named.passwordExpiryUTC = t + 600
        entries += [empty, bearer, named]
        return entries
    }

    /// `make()` and more for the version-2 vectors: every token type, two history records, a login with an
    /// empty path, a secret that is not UTF-8 (git stores bytes), a disabled entry rejected by git.
    static func makeV2() throws -> [Entry] {
        let t: Int64 = 1_796_000_000
        var entries = try make()
        entries[0].updated = t + 10
        entries[0].history.append(HistoryRecord(created: t, retired: t + 10, username: nil, secret: try Secret(copying: "second-old-secret")))
        entries[4].enabled = false
        for (name, type) in [("gitlab", TokenType.gitlabToken), ("gitlab-oauth", .gitlabOAuth), ("bearer-api", .bearer)] {
            var e = Entry(name: name, kind: .token, host: "\(name).example.com", username: nil, secret: try Secret(copying: "token-\(name)"), created: t)
            e.tokenType = type
            entries.append(e)
        }
        let raw: [UInt8] = [0xFF, 0x00, 0x80, 0x25, 0x3D, 0x20, 0x0A]
        var binary = Entry(name: "git:https/raw.example.com", kind: .login, host: "raw.example.com", username: "bytes",
                           secret: Secret(try raw.withUnsafeBytes { try SecureBytes(copying: $0) }), created: t)
        binary.protocol = "https"
        binary.path = ""
        binary.origin = .git
        entries.append(binary)
        return entries
    }
}
