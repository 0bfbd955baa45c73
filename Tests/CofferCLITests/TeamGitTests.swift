import Foundation
import XCTest

/// Team vaults shared through real git (issue 14): a bare repository on disk as the team's remote, a HOME
/// (sandbox) per member, each with their own vault, identity and agent; concurrent changes merged by the
/// merge driver on `git pull`; removal re-keys and marks exposure; a rollback is refused; the git helper
/// serves a team entry to a real `git clone` over a loopback HTTP server.
final class TeamGitTests: XCTestCase {
    /// One member: a sandbox, unlocked, with an identity and the merge driver set up.
    final class Member {
        let name: String
        let box: Sandbox
        let work: String
        var pass: [String] { ["--passphrase-file", box.root + "/pass"] }

        init(_ name: String) throws {
            self.name = name
            box = try Sandbox()
            work = box.root + "/work"
            XCTAssertEqual(try box.coffer(["init", "--kdf", "interactive"] + pass).status, 0)
            XCTAssertEqual(try box.coffer(["unlock"] + pass).status, 0)
            XCTAssertEqual(try box.coffer(["identity", "init"]).status, 0)
            XCTAssertRun(try box.coffer(["git", "setup", "--merge-driver"]),
                         stdout: ["git will merge team vaults with coffer: merge.coffer.driver=\(Sandbox.binaryDirectory)/coffer git merge-driver %O %A %B %P (global)"])
        }

        var key: String { get throws { try box.coffer(["identity", "show", "--quiet"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) } }

        var env: [String: String] {
            box.environment.merging(["GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": "\(name)@example.invalid",
                                     "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": "\(name)@example.invalid"]) { $1 }
        }

        @discardableResult
        func git(_ args: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CofferRun {
            let run = try box.spawn(["/usr/bin/git", "-C", work] + args, stdin: "", fd3: nil, env: env)
            XCTAssertEqual(run.status, status, "\(name): git \(args.joined(separator: " "))\n\(run.description)", file: file, line: line)
            return run
        }

        @discardableResult
        func coffer(_ args: [String], stdin: String = "", status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CofferRun {
            let run = try box.coffer(args, stdin: stdin)
            XCTAssertEqual(run.status, status, "\(name): coffer \(args.joined(separator: " "))\n\(run.description)", file: file, line: line)
            return run
        }

        func commit(_ message: String) throws {
            try git(["add", "-A"])
            try git(["commit", "-q", "-m", message])
        }

        func lock() { _ = try? box.coffer(["lock"]) }
    }

    func testATeamSharesAVaultThroughGit() throws {
        let alice = try Member("alice"), bob = try Member("bob"), carol = try Member("carol"), dave = try Member("dave")
        defer { for m in [alice, bob, carol, dave] { m.lock() } }
        let remote = alice.box.root + "/team.git"
        XCTAssertEqual(try alice.box.spawn(["/usr/bin/git", "init", "-q", "--bare", "-b", "main", remote], stdin: "", fd3: nil, env: alice.env).status, 0)
        let vault = "acme.coffer"

        // Alice creates the team vault in her clone, adds the others by the key line each printed, and pushes.
        XCTAssertEqual(try alice.box.spawn(["/usr/bin/git", "clone", "-q", remote, alice.work], stdin: "", fd3: nil, env: alice.env).status, 0)
        XCTAssertRun(try alice.box.coffer(["team", "init", alice.work + "/" + vault, "--member", "alice"]),
                     stdout: ["created team vault 'acme' at \(alice.work)/\(vault); add members with 'coffer member add NAME KEY'",
                              "every member sets up the merge driver once: 'coffer git setup --merge-driver'"])
        XCTAssertEqual(try String(contentsOfFile: alice.work + "/.gitattributes", encoding: .utf8), "acme.coffer merge=coffer\n")
        for m in [bob, carol, dave] { try alice.coffer(["member", "add", m.name, try m.key]) }
        try alice.coffer(["add", "keypair", "acme/client-a", "--public-key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], stdin: "client-a-first-secret-0000000000\n")
        let listed = try alice.coffer(["member", "list"]).stdout.split(separator: "\n")
        XCTAssertEqual(listed.map { $0.split(separator: " ").first.map(String.init) ?? "" }, ["NAME", "alice", "bob", "carol", "dave"])
        try alice.commit("team vault")
        try alice.git(["push", "-q", "origin", "HEAD:main"])

        // Each member clones and is given the vault: its entries join theirs as acme/NAME.
        for m in [bob, carol, dave] {
            XCTAssertEqual(try m.box.spawn(["/usr/bin/git", "clone", "-q", remote, m.work], stdin: "", fd3: nil, env: m.env).status, 0)
            let added = try m.coffer(["team", "add", m.work + "/" + vault]).stdout
            XCTAssertTrue(added.hasPrefix("team 'acme': vault "), added)
            XCTAssertTrue(added.contains("your key sealed by "), added)
            XCTAssertEqual(try m.coffer(["get", "acme/client-a"]).stdout, "client-a-first-secret-0000000000\n")
        }

        // Three changes at once: bob rotates client-a and pushes; carol adds client-b; alice removes dave.
        try bob.coffer(["rotate", "acme/client-a"], stdin: "client-a-rotated-by-bob-000000000\n")
        try bob.commit("rotate client-a")
        try bob.git(["push", "-q", "origin", "HEAD:main"])
        try carol.coffer(["add", "keypair", "acme/client-b", "--public-key", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"], stdin: "client-b-secret-by-carol-00000000\n")
        try carol.commit("add client-b")
        let removed = try alice.coffer(["member", "remove", "dave"]).stdout
        XCTAssertEqual(removed, "removed dave from team 'acme'; the vault was re-keyed\n1 entry was readable by dave: rotate it or accept the exposure ('coffer list' marks it)\n")
        try alice.commit("remove dave")

        // git sees a conflict in a binary file; the driver merges it on pull.
        let pulled = try carol.git(["pull", "-q", "--no-rebase", "origin", "main"])
        XCTAssertTrue(pulled.stderr.contains("coffer: note:") || pulled.stderr.isEmpty, pulled.stderr)
        try carol.git(["push", "-q", "origin", "HEAD:main"])
        let merged = try alice.git(["pull", "-q", "--no-rebase", "origin", "main"])
        XCTAssertTrue(merged.stderr.contains("coffer: note: acme.coffer: member 'dave' was removed here: the merge is re-keyed without them"), merged.stderr)
        try alice.git(["push", "-q", "origin", "HEAD:main"])
        try bob.git(["pull", "-q", "--no-rebase", "origin", "main"])
        try carol.git(["pull", "-q", "--no-rebase", "origin", "main"])

        // Every change is present for every remaining member: bob's rotation, carol's entry, dave gone.
        for m in [alice, bob, carol] {
            XCTAssertEqual(try m.coffer(["get", "acme/client-a"]).stdout, "client-a-rotated-by-bob-000000000\n", m.name)
            XCTAssertEqual(try m.coffer(["get", "acme/client-b"]).stdout, "client-b-secret-by-carol-00000000\n", m.name)
            XCTAssertEqual(try m.coffer(["member", "list", "--json"]).stdout.components(separatedBy: "\"name\":").count - 1, 3, m.name)
        }
        // The old secret of client-a is kept in its history.
        XCTAssertTrue(try bob.coffer(["show", "acme/client-a", "--reveal"]).stdout.contains("client-a-first-secret-0000000000"))

        // Dave's identity opens nothing written since: his agent refuses the new file.
        try dave.git(["pull", "-q", "--no-rebase", "origin", "main"])
        let refused = try dave.coffer(["get", "acme/client-a"], status: 3)
        XCTAssertTrue(refused.stderr.contains("this identity is not a member of the vault"), refused.stderr)

        // Both entries are exposed to dave until rotated or accepted.
        let exposed = try alice.coffer(["list"]).stdout
        XCTAssertEqual(exposed.components(separatedBy: ", exposed to dave since ").count - 1, 2, exposed)
        try alice.coffer(["rotate", "acme/client-b"], stdin: "client-b-rotated-after-dave-00000\n")
        try alice.coffer(["enable", "--accept-exposure", "acme/client-a"])
        XCTAssertFalse(try alice.coffer(["list"]).stdout.contains("exposed to"))

        // A rollback: bob checks out the generation before dave's removal; his Coffer refuses it loudly.
        try alice.commit("rotate client-b, accept client-a")
        try alice.git(["push", "-q", "origin", "HEAD:main"])
        try bob.git(["pull", "-q", "--no-rebase", "origin", "main"])
        XCTAssertEqual(try bob.coffer(["get", "acme/client-b"]).stdout, "client-b-rotated-after-dave-00000\n")
        try bob.git(["checkout", "-q", "HEAD~3", "--", vault])
        let rollback = try bob.coffer(["get", "acme/client-b"], status: 4)
        XCTAssertTrue(rollback.stderr.contains("refusing team vault 'acme': \(bob.work)/\(vault) is generation "), rollback.stderr)
        XCTAssertTrue(rollback.stderr.contains("a rollback, or an old checkout"), rollback.stderr)
        // Its entries are left out of every answer, and each says so.
        let refusedList = try bob.coffer(["list"])
        XCTAssertTrue(refusedList.stderr.hasPrefix("coffer: warning: team 'acme' is not served: refusing team vault 'acme': "), refusedList.stderr)
        XCTAssertFalse(refusedList.stdout.contains("acme/"), refusedList.stdout)
        try bob.git(["checkout", "-q", "HEAD", "--", vault])
        XCTAssertEqual(try bob.coffer(["get", "acme/client-b"]).stdout, "client-b-rotated-after-dave-00000\n")
    }

    /// git asks Coffer for a credential that only the team vault has: bob's helper answers a real clone
    /// over the loopback HTTP server from alice's team entry, and git's `store` afterwards copies nothing
    /// into bob's own vault.
    func testTheGitHelperServesATeamEntryToAClone() throws {
        let alice = try Member("alice"), bob = try Member("bob")
        defer { for m in [alice, bob] { m.lock() } }
        let root = alice.box.root + "/srv"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        XCTAssertEqual(try alice.box.spawn(["/usr/bin/git", "init", "-q", "--bare", "-b", "main", root + "/shop.git"], stdin: "", fd3: nil, env: alice.env).status, 0)
        let portFile = alice.box.root + "/port"
        let server = try alice.box.start(["/usr/bin/python3", Sandbox.fixtures + "/git_http_server.py", portFile, root,
                                          "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"], stdin: "")
        defer { kill(server, SIGTERM); _ = try? alice.box.finish(server) }
        var waited = 0
        while !FileManager.default.fileExists(atPath: portFile) && waited < 100 { usleep(50_000); waited += 1 }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)

        let team = alice.box.root + "/acme.coffer"
        try alice.coffer(["team", "init", team, "--member", "alice"])
        try alice.coffer(["member", "add", "bob", try bob.key])
        try alice.coffer(["add", "login", "acme/shop", "--protocol", "http", "--host", "127.0.0.1:\(port)", "--username", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"],
                         stdin: "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n")
        try bob.coffer(["team", "add", team])
        // Given again: the checks, no new trust, unless --accept.
        XCTAssertEqual(try bob.coffer(["team", "add", team], status: 2).stderr,
                       "coffer: error: team 'acme' is already known; to trust this file as it is now, add --accept\n")
        XCTAssertTrue(try bob.coffer(["team", "add", team, "--accept"]).stdout.hasPrefix("team 'acme': vault "))
        try bob.coffer(["git", "setup"])
        let clone = try bob.box.spawn(["/usr/bin/git", "clone", "-q", "http://127.0.0.1:\(port)/shop.git", bob.work], stdin: "", fd3: nil, env: bob.env)
        XCTAssertEqual(clone.status, 0, clone.description)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bob.work + "/.git"))
        // The credential stays the team's: bob's own vault is still empty.
        let listed = try bob.coffer(["list"]).stdout.split(separator: "\n")
        XCTAssertEqual(listed.count, 2, listed.joined(separator: "\n"))
        XCTAssertTrue(listed[1].hasPrefix("acme/shop "), String(listed[1]))
        XCTAssertRun(try bob.box.coffer(["list", "--vault", bob.box.vault, "--passphrase-file", bob.box.root + "/pass"]), stdout: ["no entries"])

        // A CI host gets a key-file slot of the team vault, named; removing it revokes only it.
        let ci = alice.box.root + "/ci.key"
        XCTAssertRun(try alice.box.coffer(["slot", "add-keyfile", ci, "--label", "ci", "--team", "acme"]), stdout: ["added key-file slot 2 'ci'; the key is in \(ci)"])
        XCTAssertEqual(try alice.coffer(["get", "shop", "--vault", team, "--key-file", ci]).stdout, "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n")
        try alice.coffer(["slot", "remove", "2", "--force", "--team", "acme"])
        try alice.coffer(["get", "shop", "--vault", team, "--key-file", ci], status: 3)
        XCTAssertEqual(try bob.coffer(["get", "acme/shop"]).stdout, "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n", "bob still opens it")

        // Bob forgets the team: its entries leave his list; the file stays.
        XCTAssertRun(try bob.box.coffer(["team", "list"]), stdout: ["TEAM  GENERATION  ENTRIES  PATH", "acme  5           1        \(team)"])
        // A new unlock serves the team too, and says so.
        try bob.coffer(["lock"])
        XCTAssertRun(try bob.box.coffer(["unlock"] + bob.pass), stdout: ["unlocked \(bob.box.vault) (idle 15m, max 8h)", "team acme: 1 entry, \(team)"])
        XCTAssertRun(try bob.box.coffer(["team", "remove", "acme"]), stdout: ["forgot team 'acme'; its file and your membership stay"])
        XCTAssertRun(try bob.box.coffer(["team", "list"]), stdout: ["no team vaults"])
        XCTAssertRun(try bob.box.coffer(["list"]), stdout: ["no entries"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: team))
    }

    /// A membership conflict the driver cannot resolve safely: git reports a conflict, the file is left as
    /// git left it (this side's version), and Coffer says what to do.
    func testAMergeThatCannotDecideLeavesTheFileAndSaysWhatToDo() throws {
        let alice = try Member("alice"), bob = try Member("bob"), one = try Member("one"), two = try Member("two")
        defer { for m in [alice, bob, one, two] { m.lock() } }
        let remote = alice.box.root + "/team.git"
        XCTAssertEqual(try alice.box.spawn(["/usr/bin/git", "init", "-q", "--bare", "-b", "main", remote], stdin: "", fd3: nil, env: alice.env).status, 0)
        XCTAssertEqual(try alice.box.spawn(["/usr/bin/git", "clone", "-q", remote, alice.work], stdin: "", fd3: nil, env: alice.env).status, 0)
        try alice.coffer(["team", "init", alice.work + "/acme.coffer", "--member", "alice"])
        try alice.coffer(["member", "add", "bob", try bob.key])
        try alice.commit("team vault")
        try alice.git(["push", "-q", "origin", "HEAD:main"])
        XCTAssertEqual(try bob.box.spawn(["/usr/bin/git", "clone", "-q", remote, bob.work], stdin: "", fd3: nil, env: bob.env).status, 0)
        try bob.coffer(["team", "add", bob.work + "/acme.coffer"])
        // Both add a member named erin, with two different keys.
        try alice.coffer(["member", "add", "erin", try one.key])
        try alice.commit("erin, first key")
        try bob.coffer(["member", "add", "erin", try two.key])
        try bob.commit("erin, second key")
        try bob.git(["push", "-q", "origin", "HEAD:main"])
        let before = alice.box.read(alice.work + "/acme.coffer")
        let pulled = try alice.git(["pull", "-q", "--no-rebase", "origin", "main"], status: 1)
        XCTAssertTrue(pulled.stderr.contains("""
            coffer: error: cannot merge the team vault: both sides added a member named 'erin' with different keys (acme.coffer)
            coffer: hint: the file was left as git left it; resolve it with the team, then run 'git checkout -m -- acme.coffer' to merge it again, or 'git merge --abort'
            """), pulled.stderr)
        XCTAssertTrue(pulled.stdout.contains("CONFLICT") || pulled.stderr.contains("CONFLICT"), pulled.description)
        XCTAssertEqual(alice.box.read(alice.work + "/acme.coffer"), before, "this side's version, untouched")
        try alice.git(["merge", "--abort"])
        XCTAssertEqual(try alice.coffer(["member", "list", "--json"]).stdout.components(separatedBy: "\"name\":\"erin\"").count - 1, 1)
    }
}
