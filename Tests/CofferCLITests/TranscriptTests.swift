import Foundation
import XCTest

/// The main job end to end through the built binary, compared whole.
final class TranscriptTests: XCTestCase {
    func testKeyManagementTranscript() throws {
        let box = try Sandbox()
        let pass = ["--passphrase-file", box.root + "/pass"]
        XCTAssertRun(try box.coffer(["init", "--kdf", "interactive"] + pass),
                     stdout: ["created \(box.vault) (kdf interactive: opslimit 2, memlimit 64 MiB)"])
        XCTAssertRun(try box.coffer(["add", "keypair", "alice", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c", "--note", "Alice's key"] + pass,
                                    stdin: "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"),
                     stdout: ["added keypair 'alice' for repo.magento.com"])
        XCTAssertRun(try box.coffer(["add", "download-token", "releases", "--mageid", "MAG123456789"] + pass, stdin: "tok:en@/%\n"),
                     stdout: ["added download-token 'releases' for www.magentocommerce.com"])
        XCTAssertRun(try box.coffer(["add", "login", "gitlab", "--host", "git.example.com:8443", "--username", "deploy", "--refresh-token"] + pass,
                                    stdin: "pässwörd\nrefresh-1\n"),
                     stdout: ["added login 'gitlab' for git.example.com:8443"])
        XCTAssertRun(try box.coffer(["add", "token", "github", "--type", "github-oauth", "--host", "github.com"] + pass, stdin: "ghp_123\n"),
                     stdout: ["added token 'github' for github.com"])
        XCTAssertRun(try box.coffer(["list"] + pass), stdout: [
            "NAME      KIND            HOST                     USERNAME                          STATE    UPDATED",
            "alice     keypair         repo.magento.com         5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c  enabled  2026-11-30T00:53:20Z",
            "github    github-oauth    github.com               -                                 enabled  2026-11-30T00:53:20Z",
            "gitlab    login           git.example.com:8443     deploy                            enabled  2026-11-30T00:53:20Z",
            "releases  download-token  www.magentocommerce.com  MAG123456789                      enabled  2026-11-30T00:53:20Z",
        ])
        XCTAssertRun(try box.coffer(["show", "gitlab"] + pass), stdout: [
            "name           gitlab",
            "kind           login",
            "state          enabled",
            "protocol       https",
            "host           git.example.com:8443",
            "username       deploy",
            "password       (hidden; --reveal shows it)",
            "refresh token  (hidden; --reveal shows it)",
            "origin         user",
            "created        2026-11-30T00:53:20Z",
            "updated        2026-11-30T00:53:20Z",
        ])
        XCTAssertRun(try box.coffer(["show", "releases", "--reveal"] + pass), stdout: [
            "name     releases",
            "kind     download-token",
            "state    enabled",
            "host     www.magentocommerce.com",
            "mageid   MAG123456789",
            "token    tok:en@/%",
            "origin   user",
            "created  2026-11-30T00:53:20Z",
            "updated  2026-11-30T00:53:20Z",
        ])
        box.now += 3600
        XCTAssertRun(try box.coffer(["rotate", "alice", "--public-key", "0123456789abcdef0123456789abcdef"] + pass,
                                    stdin: "fedcba9876543210fedcba9876543210\n"),
                     stdout: ["rotated 'alice'; the old private key is kept as history"])
        XCTAssertRun(try box.coffer(["show", "alice"] + pass), stdout: [
            "name         alice",
            "kind         keypair",
            "state        enabled",
            "host         repo.magento.com",
            "public key   0123456789abcdef0123456789abcdef",
            "private key  (hidden; --reveal shows it)",
            "note         Alice's key",
            "origin       user",
            "created      2026-11-30T00:53:20Z",
            "updated      2026-11-30T01:53:20Z",
            "history (disabled, oldest first):",
            "  2026-11-30T00:53:20Z to 2026-11-30T01:53:20Z  public key 5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c  private key (hidden)",
        ])
        XCTAssertRun(try box.coffer(["show", "alice", "--reveal", "--json"] + pass), stdout: [
            #"{"created":"2026-11-30T00:53:20Z","enabled":true,"has_oauth_refresh_token":false,"history":[{"created":"2026-11-30T00:53:20Z","retired":"2026-11-30T01:53:20Z","secret":"9f8e7d6c5b4a39281706f5e4d3c2b1a0","username":"5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"}],"history_count":1,"host":"repo.magento.com","kind":"keypair","name":"alice","note":"Alice's key","origin":"user","secret":"fedcba9876543210fedcba9876543210","state":"enabled","updated":"2026-11-30T01:53:20Z","username":"0123456789abcdef0123456789abcdef"}"#,
        ])
        XCTAssertRun(try box.coffer(["disable", "releases"] + pass), stdout: ["disabled 'releases'"])
        XCTAssertRun(try box.coffer(["disable", "releases"] + pass), stdout: ["'releases' is already disabled"])
        XCTAssertRun(try box.coffer(["remove", "github"] + pass), stdout: ["removed 'github'"])
        XCTAssertRun(try box.coffer(["list", "--json"] + pass), stdout: [
            #"[{"created":"2026-11-30T00:53:20Z","enabled":true,"history_count":1,"host":"repo.magento.com","kind":"keypair","name":"alice","note":"Alice's key","origin":"user","state":"enabled","updated":"2026-11-30T01:53:20Z","username":"0123456789abcdef0123456789abcdef"},{"created":"2026-11-30T00:53:20Z","enabled":true,"history_count":0,"host":"git.example.com:8443","kind":"login","name":"gitlab","origin":"user","protocol":"https","state":"enabled","updated":"2026-11-30T00:53:20Z","username":"deploy"},{"created":"2026-11-30T00:53:20Z","enabled":false,"history_count":0,"host":"www.magentocommerce.com","kind":"download-token","name":"releases","origin":"user","state":"disabled","updated":"2026-11-30T01:53:20Z","username":"MAG123456789"}]"#,
        ])
        XCTAssertRun(try box.coffer(["enable", "releases"] + pass), stdout: ["enabled 'releases'"])
        XCTAssertRun(try box.coffer(["rotate", "alice", "--purge-history"] + pass, stdin: "00000000000000000000000000000000\n"),
                     stdout: ["rotated 'alice'; history purged"])
        XCTAssertEqual(try box.coffer(["show", "alice", "--json"] + pass).stdout.contains(#""history":[]"#), true)
        // Files: the vault and its backup are 0600, the directory Coffer made is 0700.
        let attributes = try FileManager.default.attributesOfItem(atPath: box.vault)
        XCTAssertEqual((attributes[.posixPermissions] as? Int), 0o600)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: box.vault + ".bak")[.posixPermissions] as? Int), 0o600)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: box.home + "/.local/share/coffer")[.posixPermissions] as? Int), 0o700)
    }

    func testPassphraseFromAFileDescriptorAndVaultFromTheEnvironment() throws {
        let box = try Sandbox()
        let path = box.root + "/elsewhere.coffer"
        XCTAssertRun(try box.coffer(["init", "--kdf", "interactive", "--passphrase-fd", "3"], fd3: "fd secret\n", env: ["COFFER_VAULT": path]),
                     stdout: ["created \(path) (kdf interactive: opslimit 2, memlimit 64 MiB)"])
        XCTAssertRun(try box.coffer(["list", "--passphrase-fd", "3", "--vault", path], fd3: "fd secret"), stdout: ["no entries"])
        XCTAssertRun(try box.coffer(["list", "--passphrase-fd", "3", "--vault", path], fd3: "fd secret\r\n"), stdout: ["no entries"])
        XCTAssertRun(try box.coffer(["list", "--passphrase-fd", "3", "--vault", path], fd3: "fd secreT\n"), status: 3,
                     stderr: ["coffer: error: wrong passphrase", "coffer: hint: the vault was not changed"])
        XCTAssertRun(try box.coffer(["list", "--passphrase-fd", "7", "--vault", path]), status: 2,
                     stderr: ["coffer: error: --passphrase-fd 7 is not an open file descriptor"])
        // rotate opens the vault twice (to learn the kind, then to write): the passphrase is read once.
        _ = try box.coffer(["add", "token", "t", "--type", "bearer", "--host", "h", "--passphrase-fd", "3", "--vault", path], stdin: "one\n", fd3: "fd secret\n")
        XCTAssertRun(try box.coffer(["rotate", "t", "--passphrase-fd", "3", "--vault", path], stdin: "two\n", fd3: "fd secret\n"),
                     stdout: ["rotated 't'; the old token is kept as history"])
        _ = try box.coffer(["add", "token", "bb", "--type", "bitbucket-oauth", "--host", "bitbucket.org", "--consumer-key", "ck",
                            "--passphrase-fd", "3", "--vault", path], stdin: "cs1\n", fd3: "fd secret\n")
        XCTAssertRun(try box.coffer(["rotate", "bb", "--passphrase-fd", "3", "--vault", path], stdin: "cs2\n", fd3: "fd secret\n"),
                     stdout: ["rotated 'bb'; the old consumer secret is kept as history"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.vault), "the default vault was not touched")
    }

    func testChangingThePassphraseKeepsTheEntries() throws {
        let box = try Sandbox()
        let pass = ["--passphrase-file", box.root + "/pass"]
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        _ = try box.coffer(["add", "token", "t", "--type", "bearer", "--host", "h.example"] + pass, stdin: "tok\n")
        let before = box.read(box.vault)!
        XCTAssertRun(try box.coffer(["passwd", "--new-passphrase-file", box.root + "/wrong"] + pass),
                     stdout: ["passphrase of slot 0 changed (kdf interactive: opslimit 2, memlimit 64 MiB); the vault was re-keyed"])
        let after = box.read(box.vault)!
        // Re-keyed: header, MAC, payload nonce and box all change; the size does not; the backup is the
        // generation before.
        XCTAssertEqual(after.count, before.count)
        XCTAssertNotEqual(after[362...], before[362...])
        XCTAssertEqual(box.read(box.vault + ".bak"), before)
        XCTAssertEqual(try box.coffer(["list"] + pass).status, 3)
        XCTAssertRun(try box.coffer(["show", "t", "--reveal", "--passphrase-file", box.root + "/wrong"]), stdout: [
            "name     t", "kind     token", "type     bearer", "state    enabled", "host     h.example", "token    tok",
            "origin   user", "created  2026-11-30T00:53:20Z", "updated  2026-11-30T00:53:20Z",
        ])
        XCTAssertRun(try box.coffer(["passwd", "--kdf", "moderate", "--new-passphrase-file", box.root + "/pass", "--passphrase-file", box.root + "/wrong"]),
                     stdout: ["passphrase of slot 0 changed (kdf moderate: opslimit 3, memlimit 256 MiB); the vault was re-keyed"])
    }

    func testHelpListsTheCommands() throws {
        let box = try Sandbox()
        let run = try box.coffer(["--help"])
        XCTAssertEqual(run.status, 0)
        for command in ["init", "add", "list", "show", "enable", "disable", "remove", "rotate", "passwd"] {
            XCTAssertTrue(run.stdout.contains("  \(command) "), "help does not list \(command)")
        }
        XCTAssertEqual(run.stderr, "")
    }
}
