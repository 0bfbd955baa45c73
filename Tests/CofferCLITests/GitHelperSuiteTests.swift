import Foundation
import XCTest

/// git's own helper test suite (t/lib-credential.sh), restated in `Fixtures/git-helper-suite.txt`: real
/// git 2.39.5 through `git credential fill/approve/reject` with an askpass that answers prompts, and the
/// helper alone with the exact lines newer git sends for what 2.39.5 drops. Whole stdout and stderr.
final class GitHelperSuiteTests: XCTestCase {
    struct Case {
        var title: String
        var command: [String]
        var input: [String] = []
        var stdout: [String] = []
        var stderr: [String] = []
    }

    static func cases() throws -> [Case] {
        let text = try String(contentsOfFile: Sandbox.fixtures + "/git-helper-suite.txt", encoding: .utf8)
        var cases: [Case] = []
        var part = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") && cases.isEmpty { continue }
            if line.hasPrefix("== ") {
                cases.append(Case(title: String(line.dropFirst(3)), command: []))
                part = -1
                continue
            }
            guard !cases.isEmpty else { continue }
            if part == -1 { cases[cases.count - 1].command = line.split(separator: " ").map(String.init); part = 0; continue }
            if line == "--" { part += 1; continue }
            if line.isEmpty { continue }
            // git's test makes the header 1,023 bytes, a buffer of 1,024 with its NUL: no fixed buffer may cut it.
            let value = line.replacingOccurrences(of: "LONG1001", with: String(repeating: "a", count: 1001))
            switch part {
            case 0: cases[cases.count - 1].input.append(value)
            case 1: cases[cases.count - 1].stdout.append(value)
            default: cases[cases.count - 1].stderr.append(value)
            }
        }
        return cases
    }

    func testGitsHelperSuite() throws {
        let box = try Sandbox()
        let pass = ["--passphrase-file", box.root + "/pass"]
        XCTAssertEqual(try box.coffer(["init", "--kdf", "interactive"] + pass).status, 0)
        // The authtype checks ask for a token `coffer add token --type bearer` made.
        XCTAssertEqual(try box.coffer(["add", "token", "git-bearer", "--type", "bearer", "--host", "git.example.com"] + pass,
                                      stdin: "random-token\n").status, 0)
        // A login a user added, which a reject for another username must not touch.
        XCTAssertEqual(try box.coffer(["add", "login", "sso-alice", "--host", "sso.tld", "--username", "alice"] + pass,
                                      stdin: "alice-pass\n").status, 0)
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        let askpass = try box.write("askpass", """
            #!/bin/sh
            echo >&2 askpass: $*
            what=$(echo $1 | cut -d" " -f1 | tr A-Z a-z | tr -cd a-z)
            echo "askpass-$what"

            """)
        chmod(askpass, 0o700)
        let env = box.environment.merging(["GIT_ASKPASS": askpass]) { $1 }
        let cases = try Self.cases()
        XCTAssertGreaterThan(cases.count, 50, "the suite file was not read")
        for c in cases {
            let input = c.input.map { $0 + "\n" }.joined()
            let run: CofferRun
            switch c.command.first {
            case "git":
                let config = c.command.dropFirst(2).filter { $0 != "-c" }.flatMap { ["-c", $0] }
                run = try box.spawn(["/usr/bin/git", "-c", "credential.helper=", "-c", "credential.helper=coffer"] + config + ["credential", c.command[1]],
                                    stdin: input, fd3: nil, env: env)
            case "helper":
                run = try box.spawn([Sandbox.binaryDirectory + "/git-credential-coffer", c.command[1]], stdin: input, fd3: nil, env: env)
            default:
                XCTFail("\(c.title): unknown command \(c.command)")
                continue
            }
            XCTAssertRun(run, stdout: c.stdout, stderr: c.stderr, c.title)
        }
        // What git stored lands where composer and curl can use it: a Bearer credential in auth.json's
        // `bearer`, never as a netrc password; an empty username and password as http-basic.
        XCTAssertRun(try box.coffer(["export", "composer", "--format", "env", "--host", "git4.example.com", "--host", "sso2.tld"]),
                     stdout: [#"COMPOSER_AUTH='{"bearer":{"git4.example.com":"other-token"},"http-basic":{"git4.example.com":{"password":"carol-pass","username":"carol"},"sso2.tld":{"password":"","username":""}}}'"#])
        XCTAssertRun(try box.coffer(["export", "netrc", "--host", "git4.example.com", "--host", "sso2.tld"]),
                     stdout: [#"machine git4.example.com login carol password carol-pass"#, #"machine sso2.tld login "" password """#])
        XCTAssertRun(try box.coffer(["get", "git:https/git4.example.com/foobar", "--field", "authtype"]), stdout: ["Bearer"])
        // The bearer token stored back made no copy of itself; the rejected credential is gone.
        let names = try box.coffer(["list", "--json"]).stdout
        XCTAssertFalse(names.contains("git:https/git.example.com/bearer"), "a git copy of the user's bearer token")
        XCTAssertFalse(names.contains("git:https/git4.example.com/bearer"), "the rejected credential was kept")
        XCTAssertEqual(try box.coffer(["lock"]).status, 0)
    }
}
