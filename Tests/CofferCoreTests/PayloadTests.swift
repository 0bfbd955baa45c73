@testable import CofferCore
import CofferSodium
import XCTest

/// The payload decoder's rules (spec §5 and §6 rule 12), on hand-made plaintexts.
final class PayloadTests: XCTestCase {
    /// A field: tag, u32 length, value.
    func field(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] {
        [tag] + withUnsafeBytes(of: UInt32(value.count).littleEndian) { Array($0) } + value
    }
    func int(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A valid github-oauth token entry's fields, in order.
    func tokenFields(name: String = "gh") -> [[UInt8]] {
        [field(0x01, text(name)), field(0x02, [4]), field(0x03, [0]), field(0x04, int(1)), field(0x05, int(2)),
         field(0x07, [0]), field(0x11, text("github.com")), field(0x14, text("github-oauth")), field(0x20, text("secret"))]
    }

    func payload(_ entries: [[[UInt8]]], trailing: [UInt8] = []) -> [UInt8] {
        var out = withUnsafeBytes(of: UInt32(entries.count).littleEndian) { Array($0) }
        for fields in entries {
            let body = fields.flatMap { $0 }
            out += withUnsafeBytes(of: UInt32(body.count).littleEndian) { Array($0) } + body
        }
        return out + trailing
    }

    func decode(_ bytes: [UInt8]) throws -> [Entry] {
        try EntryList(decoding: try bytes.withUnsafeBytes { try SecureBytes(copying: $0) }).entries
    }

    func assertMalformed(_ bytes: [UInt8], containing words: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decode(bytes), file: file, line: line) { error in
            guard case .malformedPayload(let why) = error as? VaultError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(why.contains(words), "\(why) does not mention \(words)", file: file, line: line)
        }
    }

    func testAValidPayloadDecodesAndReencodesToTheSameBytes() throws {
        let bytes = payload([tokenFields(), tokenFields(name: "gh2")])
        let entries = try decode(bytes)
        XCTAssertEqual(entries.map(\.name), ["gh", "gh2"])
        XCTAssertEqual(entries[0].secret.revealed(), "secret")
        XCTAssertEqual(try Payload.encode(entries).withUnsafeBytes { Array($0) }, bytes)
    }

    func testRejections() {
        var fields = tokenFields()
        assertMalformed(payload([fields], trailing: [0]), containing: "trailing")
        assertMalformed(payload([tokenFields(), tokenFields()]), containing: "duplicate entry name")
        fields.swapAt(0, 1)
        assertMalformed(payload([fields]), containing: "out of order")
        fields = tokenFields()
        fields.insert(field(0x01, text("again")), at: 1)
        assertMalformed(payload([fields]), containing: "out of order")
        fields = tokenFields()
        fields.insert(field(0x0F, [1]), at: 6)
        assertMalformed(payload([fields]), containing: "unknown field tag 0xf")
        fields = tokenFields()
        fields.remove(at: 8)
        assertMalformed(payload([fields]), containing: "missing field secret")
        fields = tokenFields()
        fields[3] = field(0x04, [1, 2, 3])
        assertMalformed(payload([fields]), containing: "wrong size")
        fields = tokenFields()
        fields[6] = field(0x11, [0xC3, 0x28])
        assertMalformed(payload([fields]), containing: "not UTF-8")
        fields = tokenFields()
        fields[1] = field(0x02, [9])
        assertMalformed(payload([fields]), containing: "unknown kind")
        fields = tokenFields()
        fields[7] = field(0x14, text("svn-token"))
        assertMalformed(payload([fields]), containing: "unknown token type")
        fields = tokenFields()
        fields.insert(field(0x10, text("https")), at: 6)
        assertMalformed(payload([fields]), containing: "a token has only a host")
        fields = tokenFields(name: "-bad")
        assertMalformed(payload([fields]), containing: "invalid entry name")
        assertMalformed([5, 0, 0, 0], containing: "entry count 5 exceeds")
        assertMalformed([1, 0], containing: "truncated")
        assertMalformed(payload([tokenFields()]).dropLast(3).map { $0 }, containing: "truncated")
    }

    /// The decoder checks text rules on the bytes it reads; each broken rule still gets the writer's message.
    func testTextRulesOnDecodedBytes() throws {
        func withHost(_ host: [UInt8]) -> [[UInt8]] {
            var fields = tokenFields()
            fields[6] = field(0x11, host)
            return fields
        }
        func withNote(_ note: [UInt8]) -> [[UInt8]] {
            var fields = tokenFields()
            fields.insert(field(0x06, note), at: 5)
            return fields
        }
        assertMalformed(payload([withHost(text("github.com/x"))]), containing: "entry 0: invalid entry: gh: host must be a host name")
        assertMalformed(payload([withHost([])]), containing: "host must not be empty")
        assertMalformed(payload([withHost(text("git\u{7F}hub.com"))]), containing: "host must be a host name")
        assertMalformed(payload([withNote(text("two\nlines"))]), containing: "entry 0: invalid entry: gh: note has control characters")
        assertMalformed(payload([withNote(Array(repeating: 0x61, count: VaultFormat.maxTextBytes + 1))]), containing: "note has control characters or is too long")
        assertMalformed(payload([tokenFields(name: String(repeating: "n", count: VaultFormat.maxNameBytes + 1))]), containing: "invalid entry name")
        assertMalformed(payload([tokenFields(name: "a b")]), containing: "invalid entry name 'a b'")
        // At the limits, and beyond ASCII, all is well.
        let head = text("café, \u{1F511}")
        let fine = try decode(payload([withNote(head + Array(repeating: 0x61, count: VaultFormat.maxTextBytes - head.count))]))
        XCTAssertEqual(fine.first?.note?.utf8.count, VaultFormat.maxTextBytes)
        XCTAssertEqual(try decode(payload([tokenFields(name: String(repeating: "n", count: VaultFormat.maxNameBytes))])).count, 1)
    }

    func testEntryRulesForWriters() throws {
        let secret = try Secret(copying: "s")
        var entry = Entry(name: "k", kind: .keypair, host: "repo.magento.com", username: nil, secret: secret, created: 0)
        XCTAssertThrowsError(try entry.validate())
        entry.username = "public"
        XCTAssertNoThrow(try entry.validate())
        entry.host = "repo.magento.com/path"
        XCTAssertThrowsError(try entry.validate())
        entry.host = "repo.magento.com"
        entry.note = "line\nbreak"
        XCTAssertThrowsError(try entry.validate())
        XCTAssertFalse(Entry.isValidName(""))
        XCTAssertFalse(Entry.isValidName(String(repeating: "a", count: 129)))
        XCTAssertFalse(Entry.isValidName("has space"))
        XCTAssertTrue(Entry.isValidName("git:https/host.example:8443/user@x"))
    }

    /// v2 §5.3: what a writer may add is stricter than what a reader accepts, so entries an older Coffer
    /// wrote (`coffer add` took `a example` as a host) still open and stay changeable, while new values follow
    /// the host, scheme, control-character and time rules.
    func testWriterRulesAreStricterThanReaderRules() throws {
        let t: Int64 = 1_800_000_000
        func login(host: String = "example.com", protocol scheme: String = "https", note: String? = nil, expiry: Int64? = nil) throws -> Entry {
            var e = Entry(name: "l", kind: .login, host: host, username: "u", secret: try Secret(copying: "p"), created: t)
            e.protocol = scheme
            e.note = note
            e.passwordExpiryUTC = expiry
            return e
        }
        for host in ["example.com", "example.com:8443", "127.0.0.1:1", "[::1]", "[2001:db8::1]:65535", "bücher.example", "a_b.local"] {
            XCTAssertNoThrow(try login(host: host).validate(), host)
        }
        for host in ["a example", "a:b:c", ":99999", "example.com:0", "example.com:08", "example.com:65536", "[::1", "x@y", "", "[zz]"] {
            XCTAssertThrowsError(try login(host: host).validate(), host)
        }
        for scheme in ["https", "git+ssh", "svn.x"] { XCTAssertNoThrow(try login(protocol: scheme).validate(), scheme) }
        for scheme in ["", "1http", "ht tp", "http:"] { XCTAssertThrowsError(try login(protocol: scheme).validate(), scheme) }
        XCTAssertThrowsError(try login(note: "C1 \u{9B}[31m").validate(), "a C1 control")
        XCTAssertNoThrow(try login(note: "café ✓").validate())
        XCTAssertThrowsError(try login(expiry: VaultFormat.maxTime + 1).validate())
        XCTAssertThrowsError(try login(expiry: -1).validate())
        XCTAssertNoThrow(try login(expiry: VaultFormat.maxTime).validate())

        // The reader takes all of them, and a change to another field of such an entry is allowed.
        var old = try login()
        old.host = "a example"
        old.note = "C1 \u{9B}"
        old.passwordExpiryUTC = Int64(1) << 62
        let bytes = try EntryList.encode([old]).withUnsafeBytes { Array($0) }
        var list = try EntryList(decoding: try bytes.withUnsafeBytes { try SecureBytes(copying: $0) })
        XCTAssertEqual(list.entries.first?.host, "a example")
        XCTAssertNoThrow(try list.update("l") { $0.setEnabled(false, at: t) })
        XCTAssertThrowsError(try list.update("l") { $0.host = "b example" }, "a new value follows the writer's rules")
    }
}
