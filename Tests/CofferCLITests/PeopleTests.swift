import Foundation
import XCTest

/// Commands people use by hand: rename and edit keep the secret and the history, through the agent or
/// the file alike. Whole outputs and exit codes, from the built binary.
final class PeopleTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
    }

    override func tearDown() { box = nil }

    func testRenameAndEditKeepSecretAndHistory() throws {
        for (round, way) in [pass, []].enumerated() {
            let a = "shop\(round)", b = "store\(round)"
            if way.isEmpty { XCTAssertEqual(try box.coffer(["unlock"] + pass).status, 0) }
            XCTAssertEqual(try box.coffer(["add", "login", a, "--host", "git.example.com", "--username", "ci", "--path", "x.git"] + way,
                                          stdin: "first\n").status, 0)
            XCTAssertEqual(try box.coffer(["rotate", a] + way, stdin: "second\n").status, 0)
            XCTAssertRun(try box.coffer(["rename", a, b] + way), stdout: ["renamed '\(a)' to '\(b)'"])
            XCTAssertRun(try box.coffer(["rename", b, b] + way), stdout: ["'\(b)' already has that name"])
            XCTAssertRun(try box.coffer(["edit", b, "--note", "deploy key", "--host", "git.example.com:8443", "--username", "deploy",
                                         "--protocol", "http", "--remove-path", "--password-expiry-utc", "2000000000"] + way),
                         stdout: ["edited '\(b)'"])
            XCTAssertRun(try box.coffer(["edit", b, "--note", "deploy key"] + way), stdout: ["'\(b)' already is so"])
            XCTAssertRun(try box.coffer(["get", b] + way), stdout: ["second"])
            let shown = try box.coffer(["show", b, "--reveal", "--json"] + way)
            let object = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] ?? [:]
            XCTAssertEqual(object["name"] as? String, b)
            XCTAssertEqual(object["host"] as? String, "git.example.com:8443")
            XCTAssertEqual(object["username"] as? String, "deploy")
            XCTAssertEqual(object["protocol"] as? String, "http")
            XCTAssertEqual(object["note"] as? String, "deploy key")
            XCTAssertEqual(object["password_expiry_utc"] as? Int, 2_000_000_000)
            XCTAssertNil(object["path"], "the path was not removed")
            XCTAssertEqual((object["history"] as? [[String: Any]])?.compactMap { $0["secret"] as? String }, ["first"], "the history was lost")
            XCTAssertRun(try box.coffer(["edit", b, "--remove-note", "--remove-password-expiry"] + way), stdout: ["edited '\(b)'"])
            let after = try JSONSerialization.jsonObject(with: Data(try box.coffer(["show", b, "--json"] + way).stdout.utf8)) as? [String: Any] ?? [:]
            XCTAssertNil(after["note"])
            XCTAssertNil(after["password_expiry_utc"])
        }
    }

    func testRenameAndEditRefuseWhatBreaksARuleAndChangeNothing() throws {
        XCTAssertEqual(try box.coffer(["add", "token", "gh", "--type", "github-oauth", "--host", "github.com"] + pass, stdin: "ghp_1\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "token", "gl", "--type", "gitlab-token", "--host", "gitlab.com"] + pass, stdin: "glpat\n").status, 0)
        let vault = box.read(box.vault)
        XCTAssertRun(try box.coffer(["rename", "gh", "gl"] + pass), status: 7, stderr: ["coffer: error: an entry named 'gl' already exists"])
        XCTAssertRun(try box.coffer(["rename", "nope", "x"] + pass), status: 6,
                     stderr: ["coffer: error: no entry named 'nope'", "coffer: hint: 'coffer list' shows the names"])
        XCTAssertRun(try box.coffer(["rename", "gh", ".hidden"] + pass), status: 2,
                     stderr: ["coffer: error: invalid entry name '.hidden'", "coffer: hint: see 'coffer rename --help'"])
        XCTAssertRun(try box.coffer(["edit", "gh", "--host", "a/b"] + pass), status: 2, stderr: [
            "coffer: error: invalid entry: gh: host must be a host name or [IPv6 address] with an optional :port (1-65535)",
        ])
        XCTAssertRun(try box.coffer(["edit", "gh", "--username", "someone"] + pass), status: 2, stderr: [
            "coffer: error: invalid entry: gh: a github-oauth token has no username",
        ])
        XCTAssertRun(try box.coffer(["edit", "gh"] + pass), status: 2, stderr: [
            "coffer: error: nothing to change; name at least one of --note, --host, --username, --protocol, --path, --password-expiry-utc or a --remove- flag",
            "coffer: hint: see 'coffer edit --help'",
        ])
        XCTAssertRun(try box.coffer(["edit", "gh", "--note", "x", "--remove-note"] + pass), status: 2, stderr: [
            "coffer: error: use only one of --note and --remove-note", "coffer: hint: see 'coffer edit --help'",
        ])
        XCTAssertEqual(box.read(box.vault), vault, "a refused change wrote the vault")
    }

    func terminal(_ arguments: [String]) throws -> TerminalSession {
        try TerminalSession([Sandbox.binaryDirectory + "/coffer"] + arguments, env: box.environment)
    }

    /// At a terminal: the passphrase first, then the secret, for add and rotate alike; a mistyped passphrase
    /// is asked again (three tries); a line says the KDF is running; Ctrl-D is an empty answer.
    func testPromptsAtATerminal() throws {
        let add = try terminal(["add", "token", "t", "--type", "bearer", "--host", "h.example"])
        add.expect("Passphrase: "); add.type("wrong horse\n")
        add.expect("try again"); add.expect("Passphrase: "); add.type("correct horse\n")
        add.expect("Token: "); add.type("tok-1\n")
        var result = add.finish()
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.transcript, "Passphrase: \nunlocking…\nwrong passphrase; try again\nPassphrase: \nunlocking…\nToken: \nadded token 't' for h.example\n")

        let rotate = try terminal(["rotate", "t"])
        rotate.expect("Passphrase: "); rotate.type("correct horse\n")
        rotate.expect("New token: "); rotate.type("tok-2\n")
        result = rotate.finish()
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.transcript, "Passphrase: \nunlocking…\nNew token: \nrotated 't'; the old token is kept as history\n")

        let vault = box.read(box.vault)
        let wrong = try terminal(["list"])
        for _ in 0..<3 { wrong.expect("Passphrase: "); wrong.type("wrong horse\n") }
        result = wrong.finish()
        XCTAssertEqual(result.status, 3, result.transcript)
        XCTAssertEqual(result.transcript, String(repeating: "Passphrase: \nunlocking…\nwrong passphrase; try again\n", count: 2)
            + "Passphrase: \nunlocking…\ncoffer: error: wrong passphrase\ncoffer: hint: the vault was not changed\n")

        let eof = try terminal(["add", "token", "u", "--type", "bearer", "--host", "h.example"])
        eof.expect("Passphrase: "); eof.type("correct horse\n")
        eof.expect("Token: "); eof.type("\u{04}")
        result = eof.finish()
        XCTAssertEqual(result.status, 1, result.transcript)
        XCTAssertEqual(result.transcript, "Passphrase: \nunlocking…\nToken: \ncoffer: error: the token is empty\n")
        XCTAssertEqual(box.read(box.vault), vault, "a failed or empty answer wrote the vault")

        let unlock = try terminal(["unlock"])
        unlock.expect("Passphrase: "); unlock.type("wrong horse\n")
        unlock.expect("try again"); unlock.expect("Passphrase: "); unlock.type("correct horse\n")
        result = unlock.finish()
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.transcript, "Passphrase: \nunlocking…\nwrong passphrase; try again\nPassphrase: \nunlocking…\nunlocked \(box.vault) (idle 15m, max 8h)\n")
        XCTAssertRun(try box.coffer(["get", "t"]), stdout: ["tok-2"])
        XCTAssertEqual(try box.coffer(["lock"]).status, 0)

        let other = box.root + "/new.coffer"
        let initialize = try terminal(["init", "--kdf", "interactive", "--vault", other])
        initialize.expect("New passphrase: "); initialize.type("a new one\n")
        initialize.expect("Repeat passphrase: "); initialize.type("a new one\n")
        result = initialize.finish()
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.transcript, "New passphrase: \nRepeat passphrase: \nderiving the vault's key from the passphrase (Argon2id, 64 MiB)…\n"
            + "created \(other) (kdf interactive: opslimit 2, memlimit 64 MiB)\n")
    }

    /// Two enabled entries for one host and no project choice: at a terminal Coffer uses the most recently
    /// updated and says so (unattended, it refuses: ComposerTests).
    func testAtATerminalTheChosenEntryIsNamed() throws {
        for (name, key) in [("older", "a"), ("newer", "b")] {
            XCTAssertEqual(try box.coffer(["add", "token", name, "--type", "bearer", "--host", "h.example"] + pass, stdin: "tok-\(key)\n").status, 0)
            box.now += 60
        }
        let empty = box.root + "/no-project"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let session = try TerminalSession(["/bin/sh", "-c", "cd '\(empty)' && exec coffer export composer --format env " + pass.joined(separator: " ")],
                                          env: box.environment)
        let result = session.finish()
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.transcript, "unlocking…\n"
            + "coffer: warning: using 'newer' for h.example, the most recently updated of 'newer', 'older'; name one in composer.json extra.coffer\n"
            + #"COMPOSER_AUTH='{"bearer":{"h.example":"tok-b"}}'"# + "\n")
    }
}
