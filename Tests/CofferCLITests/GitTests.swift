import Foundation
import Glibc
import XCTest

/// Real git against git-credential-coffer and the real agent, in a throwaway HOME.
final class GitTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        let helper = Sandbox.binaryDirectory + "/git-credential-coffer"
        XCTAssertRun(try box.coffer(["git", "setup"]), stdout: ["git will ask coffer for credentials: credential.helper=\(helper) (global)"])
        XCTAssertRun(try box.coffer(["git", "setup"]), stdout: ["credential.helper already includes coffer (global)"])
    }

    override func tearDown() { box = nil }

    func unlock() throws {
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
    }

    func add(_ arguments: [String], secret: String) throws {
        let run = try box.coffer(["add"] + arguments + pass, stdin: secret + "\n")
        XCTAssertEqual(run.status, 0, run.description)
    }

    /// `git credential ACTION` with `input` (attribute lines).
    func git(_ action: String, _ input: [String], config: [String] = []) throws -> CofferRun {
        let argv = ["/usr/bin/git"] + config.flatMap { ["-c", $0] } + ["credential", action]
        return try box.spawn(argv, stdin: input.map { $0 + "\n" }.joined() + "\n", fd3: nil, env: box.environment)
    }

    /// The helper alone, as git runs it.
    func helper(_ arguments: [String], _ input: [String]) throws -> CofferRun {
        try box.spawn([Sandbox.binaryDirectory + "/git-credential-coffer"] + arguments, stdin: input.map { $0 + "\n" }.joined(),
                      fd3: nil, env: box.environment)
    }

    func fill(_ input: [String], config: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let run = try git("fill", input, config: config)
        XCTAssertEqual(run.status, 0, run.description, file: file, line: line)
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// A writer sending CRLF lines and keeping the pipe open after the blank line: the helper answers at the
    /// blank line instead of waiting for end of input (before, `timeout` ended it with 124 and no answer).
    func testCRLFInputIsAnsweredAtTheBlankLine() throws {
        try add(["login", "crlf", "--host", "git.example.com", "--username", "alice"], secret: "alice-pw")
        try unlock()
        let helper = Sandbox.binaryDirectory + "/git-credential-coffer"
        let script = """
            mkfifo "$1/in"; (printf 'protocol=https\r\nhost=git.example.com\r\n\r\n'; sleep 60) > "$1/in" & writer=$!
            timeout 20 "$2" get < "$1/in"; status=$?; kill $writer; exit $status
            """
        let run = try box.spawn(["/bin/sh", "-c", script, "sh", box.root, helper], stdin: "", fd3: nil, env: box.environment)
        XCTAssertRun(run, stdout: ["username=alice", "password=alice-pw"])
    }

    func testSeveralUsersOnOneHostAndUsername() throws {
        try add(["login", "alice-gh", "--host", "git.example.com", "--username", "alice"], secret: "alice-pw")
        box.now += 10
        try add(["login", "bob-gh", "--host", "git.example.com", "--username", "bob"], secret: "bob-pw")
        try unlock()
        // No username: the most recently updated of equally specific entries.
        XCTAssertEqual(try fill(["protocol=https", "host=git.example.com"]),
                       ["protocol=https", "host=git.example.com", "username=bob", "password=bob-pw"])
        XCTAssertEqual(try fill(["protocol=https", "host=git.example.com", "username=alice"]),
                       ["protocol=https", "host=git.example.com", "username=alice", "password=alice-pw"])
        // Exact host and protocol only: no subdomain guessing, no http for an https login.
        XCTAssertEqual(try git("fill", ["protocol=https", "host=sub.git.example.com"]).status, 128)
        XCTAssertEqual(try git("fill", ["protocol=http", "host=git.example.com"]).status, 128)
        XCTAssertEqual(try git("fill", ["protocol=https", "host=git.example.com", "username=carol"]).status, 128)
    }

    func testPathSpecificEntriesWithAndWithoutUseHttpPath() throws {
        try add(["login", "team-a", "--host", "git.example.com", "--path", "team/a.git", "--username", "deploy-a"], secret: "a-pw")
        try add(["login", "any", "--host", "git.example.com", "--username", "deploy"], secret: "any-pw")
        try unlock()
        // git sends no path without credential.useHttpPath: the path entry cannot answer.
        XCTAssertEqual(try fill(["url=https://git.example.com/team/a.git"]),
                       ["protocol=https", "host=git.example.com", "username=deploy", "password=any-pw"])
        XCTAssertEqual(try fill(["url=https://git.example.com/team/a.git"], config: ["credential.useHttpPath=true"]),
                       ["protocol=https", "host=git.example.com", "path=team/a.git", "username=deploy-a", "password=a-pw"])
        XCTAssertEqual(try fill(["url=https://git.example.com/team/b.git"], config: ["credential.useHttpPath=true"]),
                       ["protocol=https", "host=git.example.com", "path=team/b.git", "username=deploy", "password=any-pw"])
    }

    func testStoreThenGetAndEraseWithRightAndWrongPassword() throws {
        try unlock()
        let cred = ["protocol=https", "host=git.example.com:8443", "username=ci"]
        XCTAssertEqual(try git("approve", cred + ["password=pw-1"]).status, 0)
        XCTAssertEqual(try fill(Array(cred.prefix(2))), cred + ["password=pw-1"])
        let before = box.read(box.vault)
        // The same credential again changes nothing, so the vault is not rewritten.
        XCTAssertEqual(try git("approve", cred + ["password=pw-1"]).status, 0)
        XCTAssertEqual(box.read(box.vault), before)
        // Rejecting another password leaves it; rejecting its own removes what git stored.
        XCTAssertEqual(try git("reject", cred + ["password=not-it"]).status, 0)
        XCTAssertEqual(try fill(Array(cred.prefix(2))), cred + ["password=pw-1"])
        XCTAssertEqual(try git("reject", cred + ["password=pw-1"]).status, 0)
        XCTAssertEqual(try git("fill", Array(cred.prefix(2))).status, 128)
        XCTAssertFalse(try box.coffer(["list", "--json"]).stdout.contains("git:https/git.example.com"))
        // Without a password, erase takes every match.
        XCTAssertEqual(try git("approve", cred + ["password=pw-2"]).status, 0)
        XCTAssertEqual(try git("reject", Array(cred.prefix(2))).status, 0)
        XCTAssertEqual(try box.coffer(["list"]).stdout, "no entries\n")
    }

    func testRejectedKeyPairIsDisabledNotDestroyedAndComesBack() throws {
        try add(["keypair", "alice", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"], secret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0")
        try unlock()
        let cred = ["protocol=https", "host=repo.magento.com", "username=5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c", "password=9f8e7d6c5b4a39281706f5e4d3c2b1a0"]
        XCTAssertEqual(try fill(["protocol=https", "host=repo.magento.com"]), cred)
        // The agent's clock is the one it started with (COFFER_NOW pins it for the whole session).
        XCTAssertEqual(try git("reject", cred).status, 0)
        XCTAssertRun(try box.coffer(["list"]), stdout: [
            "NAME   KIND     HOST              USERNAME                          STATE                                                 UPDATED",
            "alice  keypair  repo.magento.com  5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c  rejected by repo.magento.com at 2026-11-30T00:53:20Z  2026-11-30T00:53:20Z",
        ])
        XCTAssertEqual(try git("fill", ["protocol=https", "host=repo.magento.com"]).status, 128, "a disabled entry never answers")
        XCTAssertRun(try box.coffer(["enable", "alice"]), stdout: ["enabled 'alice'"])
        XCTAssertEqual(try fill(["protocol=https", "host=repo.magento.com"]), cred)
        // Rejected again, then git reports the same credential working: enabled again.
        XCTAssertEqual(try git("reject", cred).status, 0)
        XCTAssertEqual(try git("approve", cred).status, 0)
        XCTAssertTrue(try box.coffer(["list", "--json"]).stdout.contains(#""state":"enabled""#))
    }

    func testExpiryRefreshTokenAuthtypeAndEphemeralThroughTheHelper() throws {
        try unlock()
        let now = box.now
        XCTAssertRun(try helper(["store"], ["protocol=https", "host=oauth.example", "username=u", "password=p1",
                                            "password_expiry_utc=\(now + 3600)", "oauth_refresh_token=r1"]))
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=oauth.example"]),
                     stdout: ["username=u", "password=p1", "password_expiry_utc=\(now + 3600)", "oauth_refresh_token=r1"])
        // An expired password is not returned.
        XCTAssertRun(try helper(["store"], ["protocol=https", "host=oauth.example", "username=u", "password=p2",
                                            "password_expiry_utc=\(now - 1)", "oauth_refresh_token=r2"]))
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=oauth.example"]))
        XCTAssertRun(try helper(["store"], ["protocol=https", "host=eph.example", "username=u", "password=p", "ephemeral=true"]))
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=eph.example"]))
        // A bearer token answers only a request that announced capability[]=authtype.
        try add(["token", "bearer", "--type", "bearer", "--host", "api.example"], secret: "tok-1")
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=api.example"]))
        XCTAssertRun(try helper(["get"], ["capability[]=authtype", "capability[]=state", "protocol=https", "host=api.example",
                                          "wwwauth[]=Bearer realm=x", "state[]=a", "unknown-attribute=1"]),
                     stdout: ["capability[]=authtype", "authtype=Bearer", "credential=tok-1"])
    }

    func testLockedDisabledMalformedAndUnknown() throws {
        try add(["login", "l", "--host", "git.example.com", "--username", "u"], secret: "pw")
        // Locked: no answer, nothing on stderr, no wait; git then fails because prompts are off.
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=git.example.com"]))
        XCTAssertRun(try helper(["store"], ["protocol=https", "host=git.example.com", "username=u", "password=x"]))
        XCTAssertEqual(try git("fill", ["protocol=https", "host=git.example.com"]).status, 128)
        XCTAssertRun(try helper(["--prompt", "get"], ["protocol=https", "host=git.example.com"]))
        try unlock()
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=git.example.com"]), stdout: ["username=u", "password=pw"])
        XCTAssertEqual(try box.coffer(["disable", "l"]).status, 0)
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=git.example.com"]))
        XCTAssertRun(try helper(["frobnicate"], ["protocol=https"]))
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=" + String(repeating: "a", count: 70000)]), status: 1,
                     stderr: ["coffer: error: credential line longer than 65535 bytes"])
        XCTAssertRun(try helper(["get"], ["protocol=https", "host=a\u{0}b"]), status: 1, stderr: ["coffer: error: credential value contains a NUL byte"])
        XCTAssertRun(try helper(["--bogus", "get"], []), status: 2, stderr: [
            "coffer: error: unknown option '--bogus'",
            "coffer: hint: usage: git-credential-coffer [--vault PATH] [--prompt] get|store|erase",
        ])
        XCTAssertEqual(try box.coffer(["status", "--json"]).stdout.contains(#""state":"unlocked""#), true, "the agent survived it all")
    }

    func testSetupUndo() throws {
        XCTAssertRun(try box.coffer(["git", "setup", "--host", "repo.magento.com"]),
                     stdout: ["git will ask coffer for credentials: credential.https://repo.magento.com.helper=\(Sandbox.binaryDirectory)/git-credential-coffer (global)"])
        XCTAssertRun(try box.coffer(["git", "setup", "--undo"]), stdout: ["removed coffer from credential.helper (global)"])
        XCTAssertRun(try box.coffer(["git", "setup", "--undo"]), stdout: ["credential.helper has no coffer helper (global)"])
        let config = try String(contentsOfFile: box.home + "/.gitconfig", encoding: .utf8)
        XCTAssertTrue(config.contains("[credential \"https://repo.magento.com\"]"))
        XCTAssertFalse(config.contains("[credential]\n"), config)
        // The short form, as a user may write it by hand, is recognised too.
        XCTAssertEqual(try box.spawn(["/usr/bin/git", "config", "--global", "--add", "credential.helper", "coffer --prompt"], stdin: "", fd3: nil, env: box.environment).status, 0)
        XCTAssertRun(try box.coffer(["git", "setup"]), stdout: ["credential.helper already includes coffer (global)"])
        XCTAssertRun(try box.coffer(["git", "setup", "--undo"]), stdout: ["removed coffer from credential.helper (global)"])
    }

    /// Clone and push over HTTP from a loopback server that demands basic auth, with the key pair in the vault.
    func testCloneAndPushOverHTTPWithBasicAuth() throws {
        let root = box.root + "/srv"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        XCTAssertEqual(try box.spawn(["/usr/bin/git", "init", "-q", "--bare", "-b", "main", root + "/shop.git"], stdin: "", fd3: nil, env: box.environment).status, 0)
        XCTAssertEqual(try box.spawn(["/usr/bin/git", "-C", root + "/shop.git", "config", "http.receivepack", "true"], stdin: "", fd3: nil, env: box.environment).status, 0)
        let portFile = box.root + "/port"
        let server = try box.start(["/usr/bin/python3", Sandbox.fixtures + "/git_http_server.py", portFile, root,
                                    "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"], stdin: "")
        defer { kill(server, SIGTERM); _ = try? box.finish(server) }
        var waited = 0
        while !FileManager.default.fileExists(atPath: portFile) && waited < 100 { usleep(50_000); waited += 1 }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let url = "http://127.0.0.1:\(port)/shop.git"
        // A login for the loopback host: protocol http, host with port, the Marketplace key pair as user and password.
        try add(["login", "shop", "--protocol", "http", "--host", "127.0.0.1:\(port)", "--username", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"],
                secret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0")
        try unlock()
        let env = box.environment.merging(["GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                                           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"]) { $1 }
        func git(_ args: [String], in dir: String? = nil) throws -> CofferRun {
            try box.spawn(["/usr/bin/git"] + (dir.map { ["-C", $0] } ?? []) + args, stdin: "", fd3: nil, env: env)
        }
        let work = box.root + "/work"
        var run = try git(["clone", "-q", url, work])
        XCTAssertEqual(run.status, 0, run.description)
        try "hello\n".write(toFile: work + "/README", atomically: true, encoding: .utf8)
        XCTAssertEqual(try git(["add", "README"], in: work).status, 0)
        XCTAssertEqual(try git(["commit", "-q", "-m", "first"], in: work).status, 0)
        run = try git(["push", "-q", "origin", "HEAD:main"], in: work)
        XCTAssertEqual(run.status, 0, run.description)
        // A wrong key: the clone fails cleanly and git's erase marks the entry rejected.
        XCTAssertEqual(try box.coffer(["rotate", "shop"], stdin: "00000000000000000000000000000000\n").status, 0)
        run = try git(["clone", "-q", url, box.root + "/work2"])
        XCTAssertEqual(run.status, 128, run.description)
        XCTAssertTrue(run.stderr.contains("Authentication failed"), run.stderr)
        XCTAssertTrue(try box.coffer(["list"]).stdout.contains("rejected by 127.0.0.1:\(port)"))
        XCTAssertFalse(run.stderr.contains("00000000000000000000000000000000"))
    }
}
