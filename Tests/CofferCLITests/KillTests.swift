import CofferCore
import CofferSodium
import Foundation
import Glibc
import XCTest

/// SIGKILL at spread-out moments of writes — `add`, `rotate`, `passwd` and a write by the agent — 200 kills
/// in all. After each, the vault holds exactly the state before or the state after the write, and its
/// backup opens too. The delays come from a fixed sequence, so a run is repeatable.
final class KillTests: XCTestCase {
    var box: Sandbox!
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }
    var keyPath: String { box.root + "/kill.key" }
    var delays = (0..<1000).map { ($0 * 7919) % 25_000 } // microseconds, 0 to 25 ms, well spread

    override func setUpWithError() throws {
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        _ = try box.coffer(["slot", "add-keyfile", keyPath] + pass)
        // One more write, so the backup too is a generation with the key-file slot.
        _ = try box.coffer(["add", "token", "seed", "--type", "bearer", "--host", "seed.example"] + pass, stdin: "seed\n")
    }

    /// Every entry's name and secret, as the vault at `path` holds them (opened with the key file).
    func state(_ path: String) throws -> [String: String] {
        let keyFile = try Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))).withUnsafeBytes { try KeyFile(contents: $0) }
        let vault = try Vault.open(Array(try Data(contentsOf: URL(fileURLWithPath: path))), with: .keyFile(keyFile))
        return Dictionary(uniqueKeysWithValues: vault.entries.map { ($0.name, $0.secret.revealed()) })
    }

    /// Starts `argv`, kills it after the next delay, reaps it; returns whether it had finished first.
    func killDuring(_ argv: [String], stdin: String) throws -> Bool {
        let pid = try box.start(argv, stdin: stdin, env: box.environment)
        usleep(useconds_t(delays.removeFirst()))
        let finished = Sandbox.hasExited(pid)
        kill(pid, SIGKILL)
        _ = try box.finish(pid)
        return finished
    }

    func assertBeforeOrAfter(_ before: [String: String], _ after: [String: String], _ what: String) throws {
        let now = try state(box.vault)
        XCTAssertTrue(now == before || now == after, "\(what): neither before nor after")
        if FileManager.default.fileExists(atPath: box.vault + ".bak") { XCTAssertNoThrow(try state(box.vault + ".bak"), "\(what): the backup") }
    }

    func testTwoHundredKillsLeaveBeforeOrAfter() throws {
        let coffer = Sandbox.binaryDirectory + "/coffer"
        let key = ["--key-file", keyPath]
        var kills = 0
        // add: 100 kills.
        for i in 0..<100 {
            let before = try state(box.vault)
            var after = before
            after["t\(i)"] = "s\(i)"
            if !(try killDuring([coffer, "add", "token", "t\(i)", "--type", "bearer", "--host", "h.example"] + key, stdin: "s\(i)\n")) { kills += 1 }
            try assertBeforeOrAfter(before, after, "add t\(i)")
        }
        // rotate: 50 kills, on an entry that surely exists.
        _ = try box.coffer(["add", "token", "r", "--type", "bearer", "--host", "r.example"] + key, stdin: "r0\n")
        for i in 1...50 {
            let before = try state(box.vault)
            var after = before
            after["r"] = "r\(i)"
            if !(try killDuring([coffer, "rotate", "r", "--purge-history"] + key, stdin: "r\(i)\n")) { kills += 1 }
            try assertBeforeOrAfter(before, after, "rotate \(i)")
        }
        // passwd (a re-key: every slot and the payload change): 25 kills; entries are the same either way,
        // and the key-file slot opens both.
        for i in 0..<25 {
            let before = try state(box.vault)
            try box.write("pass-\(i)", "passphrase \(i)\n")
            if !(try killDuring([coffer, "passwd", "--new-passphrase-file", box.root + "/pass-\(i)"] + key, stdin: "")) { kills += 1 }
            try assertBeforeOrAfter(before, before, "passwd \(i)")
        }
        // The agent writing: 25 kills of the agent itself while a client's add is being applied.
        for i in 0..<25 {
            XCTAssertEqual(try box.coffer(["unlock"] + key).status, 0)
            let before = try state(box.vault)
            var after = before
            after["a\(i)"] = "x\(i)"
            let client = try box.start([coffer, "add", "token", "a\(i)", "--type", "bearer", "--host", "a.example"], stdin: "x\(i)\n", env: box.environment)
            let pidText = try box.coffer(["status", "--json"]).stdout
            if let object = try JSONSerialization.jsonObject(with: Data(pidText.utf8)) as? [String: Any], let agent = object["pid"] as? Int {
                usleep(useconds_t(delays.removeFirst()))
                if !Sandbox.hasExited(pid_t(agent)) && !Sandbox.hasExited(client) { kills += 1 }
                kill(pid_t(agent), SIGKILL)
            }
            _ = try box.finish(client)
            try assertBeforeOrAfter(before, after, "agent write a\(i)")
            _ = try box.coffer(["lock"])
        }
        print("KillTests: \(kills) of 200 kills landed while the command or agent was running")
        XCTAssertGreaterThanOrEqual(kills, 120, "most kills must land during the work, or the test proves little")
    }
}
