import CofferAgentProtocol
import CofferSystem
import Foundation
import Glibc
import XCTest

/// The real agent over its real socket, started by the real `coffer unlock`.
final class AgentTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }
    var locked: [String] { ["coffer: error: vault is locked: no agent listens at \(box.socket)",
                  "coffer: hint: run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH"] }

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        _ = try box.coffer(["add", "token", "github", "--type", "github-oauth", "--host", "github.com"] + pass, stdin: "ghp_1\n")
    }

    override func tearDown() { box = nil }

    func unlock(_ extra: [String] = ["--passphrase-fd", "3"], idle: String = "5m", max: String = "10m") throws {
        XCTAssertRun(try box.coffer(["unlock", "--idle", idle, "--max", max] + extra, fd3: "correct horse\n"),
                     stdout: ["unlocked \(box.vault) (idle \(idle), max \(max))"])
    }

    func status() throws -> [String: Any] {
        let run = try box.coffer(["status", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        // 0 when unlocked, 8 when locked: the state and the status agree.
        XCTAssertEqual(run.status, object["state"] as? String == "unlocked" ? 0 : 8, run.description)
        return object
    }

    var agentSocket: String { (try? status()["socket"] as? String) ?? "" }

    func waitUntilLocked(seconds: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try status()["state"] as? String == "locked" { return }
            usleep(100_000)
        }
        XCTFail("still unlocked after \(seconds) s", file: file, line: line)
    }

    func testUnlockedCommandsNeedNoPassphraseUntilLock() throws {
        try unlock()
        let runtimeDirectory = box.runtime + "/coffer"
        let attributes = try FileManager.default.attributesOfItem(atPath: runtimeDirectory)
        XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o700)
        let sock = agentSocket
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: sock)[.posixPermissions] as? Int, 0o600)
        XCTAssertRun(try box.coffer(["add", "keypair", "alice", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"], stdin: "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"),
                     stdout: ["added keypair 'alice' for repo.magento.com"])
        XCTAssertRun(try box.coffer(["rotate", "github"], stdin: "ghp_2\n"), stdout: ["rotated 'github'; the old token is kept as history"])
        XCTAssertRun(try box.coffer(["disable", "alice"]), stdout: ["disabled 'alice'"])
        XCTAssertRun(try box.coffer(["list"]), stdout: [
            "NAME    KIND          HOST              USERNAME                          STATE     UPDATED",
            "alice   keypair       repo.magento.com  5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c  disabled  2026-11-30T00:53:20Z",
            "github  github-oauth  github.com        -                                 enabled   2026-11-30T00:53:20Z",
        ])
        XCTAssertEqual(try box.coffer(["show", "github", "--reveal", "--json"]).stdout.contains(#""secret":"ghp_2""#), true)
        XCTAssertRun(try box.coffer(["remove", "alice"]), stdout: ["removed 'alice'"])
        XCTAssertRun(try box.coffer(["show", "alice"]), status: 6, stderr: ["coffer: error: no entry named 'alice'", "coffer: hint: 'coffer list' shows the names"])
        // What the agent wrote is in the file: the passphrase opens it with the same entries.
        XCTAssertEqual(try box.coffer(["show", "github", "--reveal", "--json"] + pass).stdout.contains(#""secret":"ghp_2""#), true)
        XCTAssertEqual(try status()["entries"] as? Int, 1)
        XCTAssertRun(try box.coffer(["lock"]), stdout: ["locked \(box.vault)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: sock), "the socket outlived the agent")
        XCTAssertRun(try box.coffer(["list"]), status: 8, stderr: locked)
        XCTAssertRun(try box.coffer(["lock"]), stdout: ["\(box.vault) was not unlocked (no agent listens at \(box.socket))"])
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"])
    }

    func testUnlockingAgainResetsTheLimitsAndWrongPassphraseStartsNothing() throws {
        XCTAssertRun(try box.coffer(["unlock", "--passphrase-fd", "3"], fd3: "wrong\n"), status: 3, stderr: ["coffer: error: wrong passphrase"])
        XCTAssertEqual(try status()["state"] as? String, "locked")
        try unlock(idle: "1m", max: "2m")
        XCTAssertRun(try box.coffer(["unlock", "--idle", "20m", "--max", "1h"]),
                     stdout: ["\(box.vault) was already unlocked; limits reset (idle 20m, max 1h)"])
        let s = try status()
        XCTAssertGreaterThan(s["idle_seconds_left"] as? Int ?? 0, 1100)
        XCTAssertGreaterThan(s["max_seconds_left"] as? Int ?? 0, 3500)
    }

    func testIdleLimit() throws {
        try unlock(idle: "2s", max: "10m")
        let sock = agentSocket
        try waitUntilLocked(seconds: 6)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sock))
        XCTAssertRun(try box.coffer(["list"]), status: 8, stderr: locked)
    }

    func testAbsoluteLimitHoldsEvenWhenInUse() throws {
        try unlock(idle: "4s", max: "4s")
        let start = Date()
        // The limit is counted from the agent's start to the millisecond: a whole limit is left, not 3.x s.
        XCTAssertEqual(try status()["max_seconds_left"] as? Int, 4)
        // Use keeps resetting the idle timer, not the absolute one.
        while Date().timeIntervalSince(start) < 2 {
            let run = try box.coffer(["list"])
            XCTAssertEqual(run.status, 0, "\(Date().timeIntervalSince(start)) s after unlock: \(run.description)")
            usleep(300_000)
        }
        try waitUntilLocked(seconds: 6)
        // Whole seconds truncated at the start ended a 4 s limit anywhere after 3 s.
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 3.7)
    }

    /// Clients already connected when the agent stops (a signal, or its limit passing while it could not run)
    /// are told "locked", never a reset connection, and a change they asked for is not half made.
    func testClientsWaitingOnAStoppingAgentAreToldLocked() throws {
        for stop in ["SIGTERM", "limit"] {
            try unlock(idle: "2s", max: "2s")
            let unlocked = Date()
            let pid = pid_t(try XCTUnwrap(status()["pid"] as? Int))
            let before = box.read(box.vault)
            // Stopped, the agent accepts nothing: each client waits on its connection, request sent.
            XCTAssertEqual(kill(pid, SIGSTOP), 0)
            let git = [Sandbox.binaryDirectory + "/git-credential-coffer", "get"]
            let clients = [
                try box.start(["/usr/bin/setsid", "-w", Sandbox.binaryDirectory + "/coffer", "list"], stdin: ""),
                try box.start(["/usr/bin/setsid", "-w", Sandbox.binaryDirectory + "/coffer", "status"], stdin: ""),
                try box.start(["/usr/bin/setsid", "-w", Sandbox.binaryDirectory + "/coffer", "add", "token", "late", "--type", "bearer", "--host", "late.example"],
                              stdin: "tok\n"),
                try box.start(git, stdin: "protocol=https\nhost=github.com\n\n"),
            ]
            usleep(500_000)
            if stop == "SIGTERM" {
                XCTAssertEqual(kill(pid, SIGTERM), 0)
            } else {
                usleep(useconds_t(max(0, 2.5 - Date().timeIntervalSince(unlocked)) * 1_000_000))
            }
            XCTAssertEqual(kill(pid, SIGCONT), 0)
            let runs = try clients.map { try box.finish($0) }
            XCTAssertRun(runs[0], status: 8, stderr: locked, "list, \(stop)")
            XCTAssertRun(runs[1], status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"], "status, \(stop)")
            XCTAssertRun(runs[2], status: 8, stderr: locked, "add, \(stop)")
            XCTAssertRun(runs[3], "git helper, \(stop)")
            XCTAssertEqual(box.read(box.vault), before, "the vault changed, \(stop)")
            try waitUntilLocked(seconds: 5)
        }
    }

    func testSignalsEndTheAgentAndSIGKILLLeavesACleanLockedState() throws {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            try unlock()
            let pid = try XCTUnwrap(status()["pid"] as? Int)
            let sock = agentSocket
            kill(pid_t(pid), sig)
            try waitUntilLocked(seconds: 5)
            XCTAssertFalse(FileManager.default.fileExists(atPath: sock), "signal \(sig) left the socket")
        }
        try unlock()
        let pid = try XCTUnwrap(status()["pid"] as? Int)
        let sock = agentSocket
        kill(pid_t(pid), SIGKILL)
        usleep(200_000)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sock), "SIGKILL leaves a stale socket")
        XCTAssertRun(try box.coffer(["list"]), status: 8, stderr: locked)
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"])
        try unlock()
        XCTAssertEqual(try box.coffer(["list", "--json"]).status, 0)
    }

    func testAgentServesAFileRewrittenByAnotherWriter() throws {
        try unlock()
        // An explicit passphrase opens the file directly, beside the agent.
        XCTAssertEqual(try box.coffer(["add", "token", "gitlab", "--type", "gitlab-token", "--host", "gitlab.com"] + pass, stdin: "glpat\n").status, 0)
        XCTAssertTrue(try box.coffer(["list", "--json"]).stdout.contains(#""name":"gitlab""#))
        // A whole new file put in place (rename), as a sync tool would.
        let copy = box.root + "/copy.coffer"
        try FileManager.default.copyItem(atPath: box.vault, toPath: copy)
        XCTAssertEqual(try box.coffer(["remove", "github", "--vault", copy] + pass).status, 0)
        XCTAssertEqual(rename(copy, box.vault), 0)
        XCTAssertFalse(try box.coffer(["list", "--json"]).stdout.contains(#""name":"github""#))
    }

    /// Durations past a year, or that overflow, are refused before any agent starts (before, eleven thousand
    /// `9999999d` overflowed and the agent died with SIGILL after "unlocked").
    func testHugeDurationsAreRefused() throws {
        for idle in [String(repeating: "9999999d", count: 11_000), "367d", "9223372036854775807", "0"] {
            let run = try box.coffer(["unlock", "--idle", idle] + pass)
            XCTAssertEqual(run.status, 2, String(idle.prefix(20)))
            XCTAssertTrue(run.stderr.hasPrefix("coffer: error: invalid --idle"), run.stderr)
        }
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"])
        XCTAssertEqual(try box.coffer(["unlock", "--idle", "366d", "--max", "366d"] + pass).status, 0)
    }

    /// The agent keeps none of the unlocking shell's environment: a token exported there does not live on in
    /// it for hours (before, it had the whole environment).
    func testTheAgentStartsWithAMinimalEnvironment() throws {
        XCTAssertEqual(try box.coffer(["unlock"] + pass, env: ["COMPOSER_AUTH": #"{"bearer":{"h":"tok-in-env"}}"#, "GITHUB_TOKEN": "ghp_in_env"]).status, 0)
        let pid = try XCTUnwrap(status()["pid"] as? Int)
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else {
            throw XCTSkip("cannot read the agent's environment (it is non-dumpable; reading it needs root)")
        }
        let names = environ.split(separator: 0).map { String(decoding: $0.prefix { $0 != UInt8(ascii: "=") }, as: UTF8.self) }.sorted()
        XCTAssertEqual(names, ["COFFER_NOW", "PATH"])
    }

    func testKeyFileSlots() throws {
        let keyPath = box.root + "/deploy.key", ciPath = box.root + "/ci.key"
        XCTAssertRun(try box.coffer(["slot", "add-keyfile", keyPath, "--label", "deploy-prod"] + pass), stdout: ["added key-file slot 1 'deploy-prod'; the key is in \(keyPath)"])
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int, 0o600)
        XCTAssertRun(try box.coffer(["slot", "add-keyfile", keyPath] + pass), status: 7, stderr: [
            "coffer: error: \(keyPath) already exists", "coffer: hint: coffer never overwrites a key file; choose another path",
        ])
        XCTAssertRun(try box.coffer(["slot", "list", "--key-file", keyPath]), stdout: [
            "ID  TYPE        LABEL        CREATED",
            "0   passphrase  -            2026-11-30T00:53:20Z",
            "1   key-file *  deploy-prod  2026-11-30T00:53:20Z",
            "* unlocked with this slot",
        ])
        try unlock(["--key-file", keyPath])
        XCTAssertRun(try box.coffer(["slot", "add-keyfile", ciPath, "--label", "ci"]), stdout: ["added key-file slot 2 'ci'; the key is in \(ciPath)"])
        XCTAssertRun(try box.coffer(["slot", "list", "--json"]), stdout: [
            #"[{"created":"2026-11-30T00:53:20Z","format":2,"id":0,"label":"","type":"passphrase","unlocked":false},"#
                + #"{"created":"2026-11-30T00:53:20Z","format":2,"id":1,"label":"deploy-prod","type":"key-file","unlocked":true},"#
                + #"{"created":"2026-11-30T00:53:20Z","format":2,"id":2,"label":"ci","type":"key-file","unlocked":false}]"#,
        ])
        // The agent was unlocked with slot 1 and no terminal can ask: removing it needs --force.
        XCTAssertRun(try box.coffer(["slot", "remove", "1"]), status: 2, stderr: [
            "coffer: error: slot 1 'deploy-prod' is not removed without a terminal to ask: it is the slot this session was unlocked with",
            "coffer: hint: pass --force to remove it anyway",
        ])
        XCTAssertRun(try box.coffer(["slot", "remove", "1", "--force"]), stdout: ["removed slot 1; the vault was re-keyed"])
        // Its own slot gone, the agent ended the session; unlocked again, the ids of the others stay.
        XCTAssertEqual(try box.coffer(["list"]).status, 8)
        try unlock(["--key-file", ciPath])
        XCTAssertRun(try box.coffer(["slot", "list"]), stdout: [
            "ID  TYPE        LABEL  CREATED", "0   passphrase  -      2026-11-30T00:53:20Z", "2   key-file *  ci     2026-11-30T00:53:20Z",
            "* unlocked with this slot",
        ])
        XCTAssertRun(try box.coffer(["slot", "remove", "0"]), status: 2, stderr: [
            "coffer: error: slot 0 is not removed without a terminal to ask: it is the last passphrase slot",
            "coffer: hint: pass --force to remove it anyway",
        ])
        XCTAssertRun(try box.coffer(["slot", "remove", "7"]), status: 6, stderr: ["coffer: error: no slot with id 7", "coffer: hint: 'coffer slot list' shows the ids"])
        XCTAssertRun(try box.coffer(["rekey"]), stdout: ["re-keyed the vault"])
        _ = try box.coffer(["lock"])
        XCTAssertRun(try box.coffer(["list", "--key-file", keyPath]), status: 3, stderr: ["coffer: error: the key file does not open this vault"])
        XCTAssertEqual(try box.coffer(["list", "--key-file", ciPath]).status, 0)
        XCTAssertEqual(try box.coffer(["list"] + pass).status, 0)
        XCTAssertRun(try box.coffer(["slot", "remove", "2", "--key-file", ciPath, "--force"]), stdout: ["removed slot 2; the vault was re-keyed"])
        XCTAssertRun(try box.coffer(["slot", "remove", "0", "--force"] + pass), status: 2, stderr: [
            "coffer: error: cannot remove the last slot: the vault could never be opened again",
        ])
    }

    /// Another writer re-keys without the slot the agent was unlocked with: the agent stops, and says why.
    func testAnAgentWhoseSlotWasRemovedElsewhereStops() throws {
        let keyPath = box.root + "/deploy.key"
        _ = try box.coffer(["slot", "add-keyfile", keyPath] + pass)
        try unlock(["--key-file", keyPath])
        XCTAssertRun(try box.coffer(["slot", "remove", "1", "--force"] + pass), stdout: ["removed slot 1; the vault was re-keyed"])
        XCTAssertRun(try box.coffer(["list"]), status: 8, stderr: [
            "coffer: error: the vault was re-keyed without the slot it was unlocked with; unlock it again",
            "coffer: hint: run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH",
        ])
        XCTAssertRun(try box.coffer(["status"]), status: 8, stdout: ["locked: \(box.vault) (no agent listens at \(box.socket))"], "the agent stopped")
    }

    func testSocketDirectoryWithWrongPermissionsIsRefused() throws {
        let dir = box.runtime + "/coffer"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let refused = ["coffer: error: refusing the agent directory \(dir): mode 755, not 700",
                       "coffer: hint: coffer will not use a directory others can reach; set XDG_RUNTIME_DIR to one only you can use (such as /run/user/\(geteuid())), or COFFER_AGENT_SOCK to a socket path in one"]
        XCTAssertRun(try box.coffer(["unlock", "--passphrase-fd", "3"], fd3: "correct horse\n"), status: 1, stderr: refused)
        XCTAssertRun(try box.coffer(["list"]), status: 1, stderr: refused)
        // Another user's directory (as when someone made /tmp/coffer-UID first) is named with its owner.
        guard geteuid() == 0 else { throw XCTSkip("another user's directory needs root to make") }
        chmod(dir, 0o700)
        XCTAssertEqual(chown(dir, 65534, 65534), 0)
        let run = try box.coffer(["unlock", "--passphrase-fd", "3"], fd3: "correct horse\n")
        XCTAssertRun(run, status: 1, stderr: ["coffer: error: refusing the agent directory \(dir): owned by uid 65534", refused[1]])
    }

    /// 50 concurrent lookups while one client stalls mid-frame and others send garbage and oversized frames.
    func testConcurrentClientsStalledClientsAndGarbage() throws {
        try unlock()
        let sock = agentSocket
        let stalled = try rawConnect(sock)
        _ = send(stalled, [0x10, 0x00], 2, Int32(MSG_NOSIGNAL)) // half a length prefix, then nothing
        defer { close(stalled) }
        for garbage: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0], [3, 0, 0, 0, 9, 9, 9], [2, 0, 0, 0, 1, 200]] {
            let fd = try rawConnect(sock)
            _ = send(fd, garbage, garbage.count, Int32(MSG_NOSIGNAL))
            var reply = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &reply, reply.count, 0)
            XCTAssertGreaterThan(n, 4, "no error reply to \(garbage)")
            XCTAssertTrue(String(decoding: reply[0..<max(0, n)], as: UTF8.self).contains("error"))
            close(fd)
        }
        let answered = Counter()
        DispatchQueue.concurrentPerform(iterations: 50) { _ in
            if let reply = try? AgentClient(socketPath: sock).request(AgentMessageBuilder(op: .list)),
               reply.has(.payload) { answered.increment() }
        }
        XCTAssertEqual(answered.value, 50)
        XCTAssertEqual(try box.coffer(["list", "--json"]).status, 0)
    }

    /// 64 connections held open idle, and 60 more announcing 16 MiB requests and sending nothing: the agent
    /// still answers at once (idle ones make room for new clients; before, they were refused for 10 s), and
    /// its memory stays small (buffers grow with the bytes that arrive; before, 60 × 16 MiB were allocated
    /// on announcement).
    func testIdleAndGreedyConnectionsDoNotStopTheAgent() throws {
        try unlock()
        let sock = agentSocket
        let pid = try XCTUnwrap(status()["pid"] as? Int)
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<60 {
            let fd = try rawConnect(sock)
            let announce: [UInt8] = [0, 0, 0, 1] // 16 MiB, little-endian
            _ = send(fd, announce, 4, Int32(MSG_NOSIGNAL))
            held.append(fd)
        }
        XCTAssertEqual(try box.coffer(["list", "--json"]).status, 0, "served with 60 greedy connections open")
        let rss = readRSS(pid)
        for _ in 0..<64 { held.append(try rawConnect(sock)) }
        XCTAssertEqual(try box.coffer(["list", "--json"]).status, 0, "served with 64 idle connections open")
        guard let kib = rss else {
            throw XCTSkip("cannot read the agent's memory (it is non-dumpable; reading it needs root)")
        }
        XCTAssertLessThan(kib, 128 * 1024, "agent resident memory \(kib) KiB")
    }

    func readRSS(_ pid: Int) -> Int? {
        guard let statusText = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = statusText.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }

    func testAnotherUserIsRefused() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to act as another user")
        }
        try unlock()
        let sock = agentSocket
        // Open the way on purpose, so only the agent's own SO_PEERCRED check stands between them.
        chmod(box.root, 0o755)
        chmod(box.runtime, 0o755)
        chmod(box.runtime + "/coffer", 0o755)
        chmod(sock, 0o666)
        let probe = try box.write("probe.py", """
        import socket, struct, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(sys.argv[1])
        body = bytes([1, 2]) + b"op" + struct.pack("<I", 6) + b"status"
        try:
            s.sendall(struct.pack("<I", len(body)) + body)
            data = s.recv(4096)
        except OSError:
            data = b""
        print("answered" if data else "refused")
        """)
        chmod(probe, 0o644)
        let run = try box.spawn(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", probe, sock],
                                stdin: "", fd3: nil, env: box.environment)
        XCTAssertEqual(run.stdout, "refused\n", run.description)
        chmod(box.runtime + "/coffer", 0o700)
        XCTAssertEqual(try status()["state"] as? String, "unlocked", "the agent survived")
        // The same probe as this user is answered: the refusal above was the uid check, not a broken probe.
        let own = try box.spawn(["/usr/bin/python3", probe, sock], stdin: "", fd3: nil, env: box.environment)
        XCTAssertEqual(own.stdout, "answered\n", own.description)
    }

    func rawConnect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let status = try UnixSocket.withAddress(path) { connect(fd, $0, $1) }
        XCTAssertEqual(status, 0)
        return fd
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
