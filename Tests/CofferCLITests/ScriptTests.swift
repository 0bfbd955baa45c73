import Foundation
import Glibc
import XCTest

/// What scripts rely on: `coffer get`, status exit codes, finding the agent without XDG_RUNTIME_DIR, and the
/// exit codes a shell user expects. Whole outputs and exit codes, from the built binary.
final class ScriptTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }
    let created = "2026-11-30T00:53:20Z"

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        XCTAssertRun(try box.coffer(["add", "login", "deploy", "--host", "git.example.com", "--username", "ci", "--path", "team/repo.git",
                                     "--password-expiry-utc", "2000000000"] + pass, stdin: "s3cret pass\n"),
                     stdout: ["added login 'deploy' for git.example.com"])
    }

    override func tearDown() { box = nil }

    func testGetPrintsOneValueAndNothingElse() throws {
        for way in [pass, []] {
            if way.isEmpty { XCTAssertEqual(try box.coffer(["unlock"] + pass).status, 0) }
            XCTAssertRun(try box.coffer(["get", "deploy"] + way), stdout: ["s3cret pass"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "username"] + way), stdout: ["ci"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "path"] + way), stdout: ["team/repo.git"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "password_expiry_utc"] + way), stdout: ["2000000000"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "note"] + way), status: 6, stderr: ["coffer: error: entry 'deploy' has no note"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "username", "--json"] + way), stdout: [#"{"username":"ci"}"#])
            XCTAssertRun(try box.coffer(["get", "deploy", "--json"] + way), stdout: [
                #"{"created":"\#(created)","enabled":true,"history_count":0,"host":"git.example.com","kind":"login","name":"deploy","origin":"user","password_expiry_utc":2000000000,"path":"team/repo.git","protocol":"https","secret":"s3cret pass","state":"enabled","updated":"\#(created)","username":"ci"}"#,
            ])
            XCTAssertRun(try box.coffer(["get", "nope"] + way), status: 6,
                         stderr: ["coffer: error: no entry named 'nope'", "coffer: hint: 'coffer list' shows the names"])
            XCTAssertRun(try box.coffer(["get", "deploy", "--field", "password"] + way), status: 2, stderr: [
                "coffer: error: the value 'password' is invalid for '--field <field>'",
                "coffer: hint: please provide one of 'secret', 'username', 'host', 'protocol', 'path', 'name', 'kind', 'state', 'token_type', 'authtype', 'note', 'password_expiry_utc', 'oauth_refresh_token', 'created' or 'updated'",
            ])
        }
        XCTAssertEqual(try box.coffer(["disable", "deploy"]).status, 0)
        XCTAssertRun(try box.coffer(["get", "deploy"]), status: 1, stderr: [
            "coffer: error: entry 'deploy' is disabled", "coffer: hint: enable it with 'coffer enable deploy', or pass --allow-disabled",
        ])
        XCTAssertRun(try box.coffer(["get", "deploy", "--allow-disabled"]), stdout: ["s3cret pass"])
        // What a script does with it.
        let run = try box.spawn(["/bin/sh", "-c", #"TOKEN=$(coffer get deploy --allow-disabled) && printf '[%s]\n' "$TOKEN""#],
                                stdin: "", fd3: nil, env: box.environment)
        XCTAssertRun(run, stdout: ["[s3cret pass]"])
    }

    func testStatusTellsByItsExitCode() throws {
        let missing = box.root + "/none.coffer"
        XCTAssertRun(try box.coffer(["status", "--vault", missing]), status: 6, stderr: [
            "coffer: error: no vault at \(missing)", "coffer: hint: create one with 'coffer init', or name it with --vault PATH or COFFER_VAULT",
        ])
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"])
        XCTAssertRun(try box.coffer(["status", "--json"]), status: 8,
                     stdout: [#"{"socket":"\#(box.socket)","state":"locked","vault":"\#(box.vault)"}"#])
        let idiom = #"coffer status >/dev/null || echo "needs unlock: $?""#
        XCTAssertRun(try box.spawn(["/bin/sh", "-c", idiom], stdin: "", fd3: nil, env: box.environment), stdout: ["needs unlock: 8"])
        XCTAssertEqual(try box.coffer(["unlock", "--idle", "5m", "--max", "1h"] + pass).status, 0)
        XCTAssertRun(try box.coffer(["status"]), stdout: ["unlocked: \(box.vault) (1 entry); locks after 5m idle, at the latest in 1h"])
        XCTAssertRun(try box.spawn(["/bin/sh", "-c", idiom], stdin: "", fd3: nil, env: box.environment), stdout: [])
    }

    /// A cron job or `env -i` has no XDG_RUNTIME_DIR: it finds the agent under /run/user/UID, which is what
    /// a login session's XDG_RUNTIME_DIR names; and when there is none, the error says where it looked.
    func testTheAgentIsFoundWithoutXDGRuntimeDir() throws {
        let uid = geteuid()
        let runUser = "/run/user/\(uid)"
        var made = false
        if !FileManager.default.fileExists(atPath: runUser) {
            try FileManager.default.createDirectory(atPath: runUser, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            made = true
        }
        defer { if made { try? FileManager.default.removeItem(atPath: runUser) } }
        var info = stat()
        guard stat(runUser, &info) == 0, info.st_uid == uid else { throw XCTSkip("\(runUser) belongs to another user") }
        let session = ["XDG_RUNTIME_DIR": runUser]
        var cron = box.environment
        cron.removeValue(forKey: "XDG_RUNTIME_DIR")
        let socket = box.socket(directory: runUser + "/coffer")
        func asCron(_ arguments: [String]) throws -> CofferRun {
            try box.spawn([Sandbox.binaryDirectory + "/coffer"] + arguments, stdin: "", fd3: nil, env: cron)
        }
        XCTAssertRun(try asCron(["list"]), status: 8, stderr: [
            "coffer: error: vault is locked: no agent listens at \(socket)",
            "coffer: hint: run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH",
        ])
        XCTAssertRun(try box.coffer(["unlock"] + pass, env: session), stdout: ["unlocked \(box.vault) (idle 15m, max 8h)"])
        defer { _ = try? box.coffer(["lock"], env: session) }
        XCTAssertRun(try asCron(["status"]), stdout: ["unlocked: \(box.vault) (1 entry); locks after 15m idle, at the latest in 8h"])
        XCTAssertRun(try asCron(["get", "deploy"]), stdout: ["s3cret pass"])
        let git = try box.spawn([Sandbox.binaryDirectory + "/git-credential-coffer", "get"], stdin: "protocol=https\nhost=git.example.com\npath=team/repo.git\n\n",
                                fd3: nil, env: cron)
        XCTAssertRun(git, stdout: ["username=ci", "password=s3cret pass", "password_expiry_utc=2000000000"])
        XCTAssertRun(try asCron(["lock"]), stdout: ["locked \(box.vault)"])
    }

    func testExitCodesAShellUserExpects() throws {
        let existing = try box.write("existing.key", "")
        XCTAssertRun(try box.coffer(["slot", "add-keyfile", existing] + pass), status: 7, stderr: [
            "coffer: error: \(existing) already exists", "coffer: hint: coffer never overwrites a key file; choose another path",
        ])
        XCTAssertRun(try box.coffer(["exec"] + pass + ["--", "no-such-command-anywhere"]), status: 127,
                     stderr: ["coffer: error: cannot run no-such-command-anywhere: no such file or directory"])
        let notExecutable = try box.write("script.sh", "echo hi\n")
        XCTAssertRun(try box.coffer(["exec"] + pass + ["--", notExecutable]), status: 126,
                     stderr: ["coffer: error: cannot run \(notExecutable): permission denied"])
    }

    /// One spelling, `--json`, on every command that prints a report.
    func testJSONReports() throws {
        XCTAssertEqual(try box.coffer(["add", "download-token", "dl", "--mageid", "MAG1"] + pass, stdin: "dl-token\n").status, 0)
        XCTAssertRun(try box.coffer(["export", "netrc", "--json"] + pass), stdout: [
            #"[{"login":"ci","machine":"git.example.com","name":"deploy","password":"s3cret pass"},{"login":"MAG1","machine":"www.magentocommerce.com","name":"dl","password":"dl-token"}]"#,
        ])
        let netrc = box.root + "/netrc"
        XCTAssertRun(try box.coffer(["export", "netrc", "--json", "--write", netrc] + pass), stdout: [#"{"machines":2,"path":"\#(netrc)"}"#])
        let helper = Sandbox.binaryDirectory + "/git-credential-coffer"
        XCTAssertRun(try box.coffer(["git", "setup", "--json"]), stdout: [#"{"action":"added","key":"credential.helper","scope":"global","value":"\#(helper)"}"#])
        XCTAssertRun(try box.coffer(["git", "setup", "--json"]), stdout: [#"{"action":"present","key":"credential.helper","scope":"global","value":"\#(helper)"}"#])
        XCTAssertRun(try box.coffer(["git", "setup", "--undo", "--json"]), stdout: [#"{"action":"removed","key":"credential.helper","scope":"global","value":"\#(helper)"}"#])
        XCTAssertRun(try box.coffer(["git", "setup", "--undo", "--json"]), stdout: [#"{"action":"absent","key":"credential.helper","scope":"global"}"#])
        XCTAssertRun(try box.coffer(["slot", "list", "--json"] + pass), stdout: [
            #"[{"created":"\#(created)","format":2,"id":0,"label":"","type":"passphrase","unlocked":true}]"#,
        ])
    }

    func testUsageMistakesAreCaughtBeforeAnythingRuns() throws {
        // git's "fatal" once per config call was printed twice, then a third line.
        let outside = box.root + "/not-a-repo"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let run = try box.spawn(["/bin/sh", "-c", "cd '\(outside)' && GIT_CEILING_DIRECTORIES='\(box.root)' coffer git setup --local"], stdin: "", fd3: nil, env: box.environment)
        XCTAssertRun(run, status: 1, stderr: [
            "coffer: error: not in a git repository", "coffer: hint: run it inside one, or leave out --local to set it for every repository",
        ])
        XCTAssertRun(try box.coffer(["unlock", "--idle", "2h", "--max", "1h"] + pass), status: 2, stderr: [
            "coffer: error: --idle 2h is longer than --max 1h", "coffer: hint: see 'coffer unlock --help'",
        ])
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"])
        XCTAssertRun(try box.coffer(["init", "--key-file", "x", "--vault", box.root + "/new.coffer"]), status: 2, stderr: [
            "coffer: error: unknown option '--key-file'", "coffer: hint: see 'coffer init --help'",
        ])
        XCTAssertFalse(try box.coffer(["init", "--help"]).stdout.contains("--key-file"), "init's help still lists --key-file")
    }
}
