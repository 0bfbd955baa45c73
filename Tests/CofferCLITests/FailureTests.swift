import Foundation
import XCTest

/// Every failure: one `coffer: error:` line (and maybe a hint), the documented exit code, nothing on
/// stdout, no secret in the message, and the vault byte for byte as it was.
final class FailureTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        XCTAssertRun(try box.coffer(["add", "keypair", "alice", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"] + pass,
                                    stdin: "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"),
                     stdout: ["added keypair 'alice' for repo.magento.com"])
    }

    /// Runs a failing command and checks the transcript and that neither the vault nor its backup changed.
    func assertFails(_ arguments: [String], stdin: String = "", status: Int32, stderr: [String],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let vault = box.read(box.vault), backup = box.read(box.vault + ".bak")
        let run = try box.coffer(arguments, stdin: stdin)
        XCTAssertRun(run, status: status, stderr: stderr, file: file, line: line)
        XCTAssertEqual(box.read(box.vault), vault, "the vault changed", file: file, line: line)
        XCTAssertEqual(box.read(box.vault + ".bak"), backup, "the backup changed", file: file, line: line)
        for secret in ["9f8e7d6c5b4a39281706f5e4d3c2b1a0", "correct horse", "wrong horse"] {
            XCTAssertFalse(run.stderr.contains(secret), "a secret in the message", file: file, line: line)
        }
    }

    func testWrongPassphrase() throws {
        let wrong = ["--passphrase-file", box.root + "/wrong"]
        let stderr = ["coffer: error: wrong passphrase", "coffer: hint: the vault was not changed"]
        try assertFails(["list"] + wrong, status: 3, stderr: stderr)
        try assertFails(["add", "token", "t", "--type", "bearer", "--host", "h"] + wrong, stdin: "x\n", status: 3, stderr: stderr)
        try assertFails(["remove", "alice"] + wrong, status: 3, stderr: stderr)
        try assertFails(["passwd", "--new-passphrase-file", box.root + "/wrong"] + wrong, status: 3, stderr: stderr)
    }

    func testEntryErrors() throws {
        let missing = ["coffer: error: no entry named 'bob'", "coffer: hint: 'coffer list' shows the names"]
        try assertFails(["show", "bob"] + pass, status: 6, stderr: missing)
        try assertFails(["remove", "bob"] + pass, status: 6, stderr: missing)
        try assertFails(["enable", "bob"] + pass, status: 6, stderr: missing)
        try assertFails(["rotate", "bob"] + pass, stdin: "x\n", status: 6, stderr: missing)
        try assertFails(["add", "keypair", "alice", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"] + pass,
                        stdin: "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n", status: 7,
                        stderr: ["coffer: error: an entry named 'alice' already exists"])
        try assertFails(["add", "token", "bad name", "--type", "bearer", "--host", "h"] + pass, status: 2, stderr: [
            "coffer: error: invalid entry name 'bad name'",
            "coffer: hint: see 'coffer add token --help'",
        ])
        try assertFails(["add", "token", "t", "--type", "bearer", "--host", "h"] + pass, stdin: "", status: 1, stderr: [
            "coffer: error: the token is empty", "coffer: hint: pass it as one line on standard input",
        ])
        try assertFails(["add", "token", "t", "--type", "bearer", "--host", "h"] + pass, stdin: "a\u{7}b\n", status: 1, stderr: [
            "coffer: error: the token must be UTF-8 text without control characters",
        ])
        try assertFails(["add", "login", "l", "--host", "h/x", "--username", "u"] + pass, stdin: "p\n", status: 2, stderr: [
            "coffer: error: invalid entry: l: host must be a host name or [IPv6 address] with an optional :port (1-65535)",
        ])
        try assertFails(["rotate", "alice", "--public-key", "x"] + ["--passphrase-file", box.root + "/pass"], stdin: "", status: 1, stderr: [
            "coffer: warning: the public key is 1 character; marketplace keys are 32",
            "coffer: error: the private key is empty", "coffer: hint: pass it as one line on standard input",
        ])
    }

    func testUsageErrors() throws {
        try assertFails(["list", "--bogus"], status: 2, stderr: ["coffer: error: unknown option '--bogus'", "coffer: hint: see 'coffer list --help'"])
        try assertFails(["frobnicate"], status: 2, stderr: ["coffer: error: unknown command 'frobnicate' for 'coffer'", "coffer: hint: see 'coffer --help'"])
        try assertFails(["shwo", "alice"], status: 2, stderr: ["coffer: error: unknown command 'shwo' for 'coffer'", "coffer: hint: did you mean 'coffer show'?"])
        try assertFails(["add", "keypiar", "x", "--public-key", "y"], status: 2, stderr: ["coffer: error: unknown command 'keypiar' for 'coffer add'", "coffer: hint: did you mean 'coffer add keypair'?"])
        try assertFails(["unlock", "--idle", "5x"], status: 2, stderr: ["coffer: error: invalid --idle '5x'; use e.g. 90s, 15m or 1h, at most 366d", "coffer: hint: see 'coffer unlock --help'"])
        try assertFails(["init", "--kdf", "extreme"] + pass, status: 2, stderr: [
            "coffer: error: the value 'extreme' is invalid for '--kdf <kdf>'",
            "coffer: hint: please provide one of 'interactive', 'moderate' or 'sensitive'",
        ])
        try assertFails(["list", "--passphrase-fd", "3", "--passphrase-file", "x"], status: 2, stderr: [
            "coffer: error: use only one of --passphrase-fd, --passphrase-file and --key-file",
            "coffer: hint: see 'coffer list --help'",
        ])
        try assertFails(["add", "token", "t", "--type", "github-oauth", "--host", "h", "--consumer-key", "k"] + pass, status: 2, stderr: [
            "coffer: error: --consumer-key is for bitbucket-oauth only",
            "coffer: hint: see 'coffer add token --help'",
        ])
        try assertFails(["init"] + pass, status: 7, stderr: ["coffer: error: a vault already exists at \(box.vault)"])
    }

    func testNoTerminalFailsFastInsteadOfPrompting() throws {
        let locked = ["coffer: error: vault is locked: no agent listens at \(box.socket)",
                      "coffer: hint: run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH"]
        try assertFails(["list"], status: 8, stderr: locked)
        try assertFails(["add", "token", "t", "--type", "bearer", "--host", "h"], stdin: "x\n", status: 8, stderr: locked)
        try assertFails(["unlock"], status: 8, stderr: locked)
    }

    func testMissingVault() throws {
        let run = try box.coffer(["list", "--vault", box.root + "/none.coffer"] + pass)
        XCTAssertRun(run, status: 6, stderr: [
            "coffer: error: no vault at \(box.root)/none.coffer",
            "coffer: hint: create one with 'coffer init', or name it with --vault PATH or COFFER_VAULT",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root + "/none.coffer"))
    }

    /// Damaged files: each fails before or instead of a prompt, and is left exactly as it was.
    func testDamagedVaults() throws {
        let good = box.read(box.vault)!
        let damaged = "coffer: hint: the file was not changed; the previous generation may be in the .bak file next to it"
        func withFile(_ bytes: [UInt8], _ status: Int32, _ error: String, hint: String? = damaged, file: StaticString = #filePath, line: UInt = #line) throws {
            _ = FileManager.default.createFile(atPath: box.vault, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            try assertFails(["list"] + pass, status: status, stderr: ["coffer: error: " + error] + (hint.map { [$0] } ?? []), file: file, line: line)
            try assertFails(["add", "token", "t", "--type", "bearer", "--host", "h"] + pass, stdin: "x\n", status: status,
                            stderr: ["coffer: error: " + error] + (hint.map { [$0] } ?? []), file: file, line: line)
        }
        var bytes = good
        bytes[bytes.count - 1] ^= 1
        try withFile(bytes, 4, "vault contents failed authentication (the file was altered)")
        bytes = good
        bytes[400] ^= 1 // inside the header MAC (the header of one passphrase slot is 37 + 7 + 318 = 362 bytes)
        try withFile(bytes, 4, "vault header failed authentication (the file was altered)")
        try withFile(Array(good.prefix(50)), 4, "vault file is truncated")
        try withFile([], 4, "vault file is truncated")
        try withFile(Array("{\"http-basic\":{}}".utf8), 4, "not a coffer vault (bad magic)")
        bytes = good
        bytes[6] = 5
        try withFile(bytes, 5, "unsupported vault version 5 (this coffer reads versions 1 to 4)", hint: nil)
        bytes = good
        bytes.replaceSubrange(49..<57, with: withUnsafeBytes(of: (UInt64(1) << 40).littleEndian) { Array($0) })
        try withFile(bytes, 5, "key derivation parameters out of range (opslimit 2, memlimit 1099511627776 bytes; allowed opslimit 2-10, memlimit 64 MiB-4 GiB)",
                     hint: "coffer: hint: the file was not changed; it may have been crafted to exhaust this machine")
    }

    func testGroupReadableVaultIsWarnedAbout() throws {
        chmod(box.vault, 0o644)
        XCTAssertRun(try box.coffer(["list"] + pass), stdout: [
            "NAME   KIND     HOST              USERNAME                          STATE    UPDATED",
            "alice  keypair  repo.magento.com  5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c  enabled  2026-11-30T00:53:20Z",
        ], stderr: ["coffer: warning: \(box.vault) can be read by other users (mode 644); run chmod 600 \(box.vault)"])
    }

    /// Several processes add at the same moment; the lock makes each read-modify-write see the others'.
    func testConcurrentWritersAllLand() throws {
        let count = 6
        let pids = try (0..<count).map { i in
            try box.start([Sandbox.binaryDirectory + "/coffer", "add", "token", "t\(i)", "--type", "bearer", "--host", "h\(i).example"] + pass,
                          stdin: "secret-\(i)\n")
        }
        for pid in pids { XCTAssertEqual(try box.finish(pid).status, 0) }
        let list = try box.coffer(["list", "--json"] + pass)
        for i in 0..<count { XCTAssertTrue(list.stdout.contains(#""name":"t\#(i)""#), "t\(i) was lost") }
        XCTAssertTrue(list.stdout.contains(#""name":"alice""#))
    }
}
