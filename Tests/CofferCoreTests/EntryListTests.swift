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

    func testChangesFindEveryKindOfDifference() throws {
        var old = EntryList()
        try old.add(try login("a", host: "h", user: "u", secret: "s1"))
        try old.add(try login("b", host: "h", user: "u", secret: "s2"))
        try old.add(try login("c", host: "h", user: "u", secret: "s3"))
        var new = old
        XCTAssertTrue(try new.changes(since: old).upserted.isEmpty)
        try new.update("a") { $0.secret = try! Secret(copying: "s1-new") }
        try new.update("b") { $0.note = "noted" }
        try new.remove("c")
        try new.add(try login("d", host: "h", user: "u", secret: "s4"))
        let (removed, upserted) = try new.changes(since: old)
        XCTAssertEqual(removed, ["c"])
        XCTAssertEqual(upserted.map(\.name), ["a", "b", "d"])
        // Same bytes in another buffer are the same secret.
        var copy = old
        try copy.update("a") { $0.secret = try! Secret(copying: "s1") }
        XCTAssertTrue(try copy.changes(since: old).upserted.isEmpty)
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
