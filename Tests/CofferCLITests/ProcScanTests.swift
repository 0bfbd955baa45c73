import Foundation
import Glibc
import XCTest

/// A scripted session — init, add, unlock, git fill, export, exec, exec --netrc, rotate, lock — while a
/// sampler reads `/proc/*/cmdline` of every process and `/proc/*/environ` of every coffer process: no
/// secret appears in either. (The command `coffer exec` runs gets its secrets in its environment on purpose;
/// its environ is not sampled, its cmdline is.)
final class ProcScanTests: XCTestCase {
    final class Sampler: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: Set<String> = []
        private var running = true
        private(set) var samples = 0

        func run() {
            while lock.withLock({ running }) {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where name.first?.isNumber == true {
                    let base = "/proc/" + name
                    var texts: [String] = []
                    if let cmdline = FileManager.default.contents(atPath: base + "/cmdline") { texts.append(String(decoding: cmdline, as: UTF8.self)) }
                    let comm = (try? String(contentsOfFile: base + "/comm", encoding: .utf8)) ?? ""
                    if comm.hasPrefix("coffer") || comm.hasPrefix("git-credential") || comm.hasPrefix("git") {
                        if let environ = FileManager.default.contents(atPath: base + "/environ") { texts.append(String(decoding: environ, as: UTF8.self)) }
                    }
                    lock.withLock {
                        seen.formUnion(texts)
                        samples += 1
                    }
                }
            }
        }

        func stop() -> (Set<String>, Int) { lock.withLock { running = false; return (seen, samples) } }
    }

    func testNoSecretInAnyCommandLineOrCofferEnvironment() throws {
        guard geteuid() == 0 else { throw XCTSkip("reading the environment of non-dumpable coffer processes needs root") }
        let box = try Sandbox()
        let pass = ["--passphrase-file", box.root + "/pass"]
        let secrets = ["correct horse", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "dl-token-secret", "git-pw-secret", "rotated-secret"]
        let sampler = Sampler()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { sampler.run(); done.signal() }
        func ok(_ run: CofferRun) { XCTAssertEqual(run.status, 0, run.description) }
        ok(try box.coffer(["init", "--kdf", "interactive"] + pass))
        ok(try box.coffer(["add", "keypair", "k", "--public-key", "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"] + pass, stdin: secrets[1] + "\n"))
        ok(try box.coffer(["add", "download-token", "dl", "--mageid", "MAG1", "--host", "dl.example"] + pass, stdin: secrets[2] + "\n"))
        ok(try box.coffer(["add", "login", "g", "--host", "git.example", "--username", "u"] + pass, stdin: secrets[3] + "\n"))
        ok(try box.coffer(["unlock"] + pass))
        let fill = try box.spawn(["/usr/bin/git", "-c", "credential.helper=", "-c", "credential.helper=" + Sandbox.binaryDirectory + "/git-credential-coffer",
                                  "credential", "fill"], stdin: "protocol=https\nhost=git.example\n\n", fd3: nil, env: box.environment)
        XCTAssertTrue(fill.stdout.contains(secrets[3]), fill.description)
        ok(try box.coffer(["export", "composer"]))
        ok(try box.coffer(["exec", "--", "sh", "-c", "sleep 0.2; test -n \"$COMPOSER_AUTH\""]))
        ok(try box.coffer(["exec", "--netrc", "--", "sh", "-c", "sleep 0.2; cat \"$NETRC\" >/dev/null"]))
        ok(try box.coffer(["rotate", "g"], stdin: secrets[4] + "\n"))
        ok(try box.coffer(["lock"]))
        let (seen, samples) = sampler.stop()
        done.wait()
        XCTAssertGreaterThan(samples, 100, "the sampler ran")
        XCTAssertTrue(seen.contains { $0.contains("coffer") && $0.contains("unlock") || $0.contains("agent") }, "the sampler saw coffer's processes")
        for secret in secrets {
            XCTAssertFalse(seen.contains { $0.contains(secret) }, "'\(secret)' in a command line or a coffer environment")
        }
    }
}
