@testable import CofferCore
import CofferSodium
import XCTest

/// The change set the CLI sends to the agent, and git's matching rules, in memory.
final class EntryListTests: XCTestCase {
    func login(_ name: String, host: String, user: String, secret: String, path: String? = nil, updated: Int64 = 100) throws -> Entry {
        var e = Entry(name: name, kind: .login, host: host, username: user, secret: try Secret(copying: secret), created: updated)
        e.protocol = "https"
        e.path = path
        return e
    }

    func testSameContentComparesEveryField() throws {
        let a = try login("a", host: "h", user: "u", secret: "s1")
        XCTAssertTrue(a.hasSameContent(as: a))
        var other = a
        other.secret = try Secret(copying: "s1")
        XCTAssertTrue(a.hasSameContent(as: other), "the same bytes in another buffer are the same secret")
        let changes: [(String, (inout Entry) throws -> Void)] = [
            ("secret", { $0.secret = try Secret(copying: "s2") }), ("note", { $0.note = "noted" }), ("path", { $0.path = "p" }),
            ("state", { $0.enabled = false }), ("updated", { $0.updated += 1 }), ("refresh", { $0.oauthRefreshToken = try Secret(copying: "r") }),
            ("history", { $0.history = [HistoryRecord(created: 1, retired: 2, username: nil, secret: try Secret(copying: "old"))] }),
        ]
        for (what, change) in changes {
            var changed = a
            try change(&changed)
            XCTAssertFalse(a.hasSameContent(as: changed), what)
        }
    }

    /// Names are found through the table built at open, before any change makes the dictionary.
    func testNamesOfAnOpenedListAreFoundBeforeAnyChange() throws {
        var list = EntryList()
        for i in 0..<2000 { try list.add(try login("login-\(i)", host: "h", user: "u", secret: "s\(i)")) }
        let read = try EntryList(decoding: try list.encoded())
        for i in stride(from: 0, to: 2000, by: 37) {
            XCTAssertEqual(read.entry(named: "login-\(i)")?.secret.revealed(), "s\(i)")
        }
        XCTAssertFalse(read.contains("login-2000"))
        XCTAssertFalse(read.contains("login-"))
        XCTAssertEqual(read.entries(named: ["login-5", "nope", "login-3"]).map(\.name), ["login-3", "login-5"])
    }

    func testChangesThroughALazilyDecodedList() throws {
        var list = EntryList()
        for name in ["a", "b", "c"] { try list.add(try login(name, host: "h", user: "u", secret: "s-" + name)) }
        var read = try EntryList(decoding: try list.encoded())
        XCTAssertEqual(read.entries.map(\.name), ["a", "b", "c"])
        try read.update("b") { $0.note = "noted" }
        try read.remove("a")
        try read.add(try login("d", host: "h", user: "u", secret: "s-d"))
        XCTAssertEqual(read.entries.map(\.name), ["b", "c", "d"])
        XCTAssertEqual(read.entry(named: "c")?.secret.revealed(), "s-c")
        XCTAssertEqual(read.entry(named: "b")?.note, "noted")
        XCTAssertNil(read.entry(named: "a"))
        let again = try EntryList(decoding: try read.encoded())
        XCTAssertTrue(zip(again.entries, read.entries).allSatisfy { $0.hasSameContent(as: $1) })
        let redacted = try EntryList(decodingRedacted: try EntryList.encodeRedacted(read.entries))
        XCTAssertEqual(redacted.entry(named: "c")?.secret.count, 0)
        XCTAssertThrowsError(try redacted.encoded(), "a redacted list is never written")
    }

    func testGitMatchingRulesAndOrder() throws {
        var list = EntryList()
        try list.add(try login("old", host: "git.example.com", user: "alice", secret: "a", updated: 100))
        try list.add(try login("new", host: "git.example.com", user: "bob", secret: "b", updated: 200))
        try list.add(try login("pathed", host: "git.example.com", user: "carol", secret: "c", path: "team/x.git", updated: 50))
        var key = Entry(name: "key", kind: .keypair, host: "Git.Example.com", username: "pub", secret: try Secret(copying: "k"), created: 300)
        key.note = nil
        try list.add(key)
        var expired = try login("expired", host: "git.example.com", user: "dave", secret: "d", updated: 400)
        expired.passwordExpiryUTC = 999
        try list.add(expired)
        let index = CredentialIndex(list)
        func best(_ path: String? = nil, user: String? = nil, proto: String = "https") -> String? {
            index.best(CredentialQuery(protocol: proto, host: "GIT.example.com", path: path, username: user), now: 1000)?.name
        }
        XCTAssertEqual(best(), "new", "logins before key pairs, then the most recently updated; expired never")
        XCTAssertEqual(best("team/x.git"), "pathed", "an entry with the request's path first")
        XCTAssertEqual(best(user: "alice"), "old")
        XCTAssertEqual(best(user: "pub"), "key")
        XCTAssertNil(best(user: "dave"), "an expired password is not returned")
        XCTAssertNil(best(proto: "http"))
        XCTAssertEqual(index.matches(CredentialQuery(protocol: "https", host: "git.example.com", path: nil, username: nil), now: 1000).map(\.name),
                       ["new", "old", "key"])
    }

    func testGitStoreAndErase() throws {
        var list = EntryList()
        var q = CredentialQuery(protocol: "https", host: "git.example.com", path: nil, username: "ci")
        XCTAssertTrue(try list.gitStore(q, password: try Secret(copying: "p1"), expiry: nil, refreshToken: nil, now: 10))
        XCTAssertEqual(list.entries.map(\.name), ["git:https/git.example.com/ci"])
        XCTAssertEqual(list.entries[0].origin, .git)
        XCTAssertFalse(try list.gitStore(q, password: try Secret(copying: "p1"), expiry: nil, refreshToken: nil, now: 20), "no change, no write")
        XCTAssertTrue(try list.gitStore(q, password: try Secret(copying: "p2"), expiry: 99, refreshToken: nil, now: 30))
        XCTAssertEqual(list.entries[0].secret.revealed(), "p2")
        q.password = try Secret(copying: "wrong")
        XCTAssertFalse(try list.gitErase(q, now: 40))
        q.password = try Secret(copying: "p2")
        XCTAssertTrue(try list.gitErase(q, now: 40))
        XCTAssertEqual(list.count, 0, "what git stored, git may erase")
        // Names stay valid and unique whatever the username holds.
        let odd = CredentialQuery(protocol: "https", host: "h.example", path: nil, username: "a b/c")
        XCTAssertTrue(try list.gitStore(odd, password: try Secret(copying: "x"), expiry: nil, refreshToken: nil, now: 50))
        XCTAssertEqual(list.entries.last?.name, "git:https/h.example/a_b/c")
        XCTAssertEqual(list.uniqueName(for: "https", "h.example", nil, "a b/c"), "git:https/h.example/a_b/c-2")
    }
}
