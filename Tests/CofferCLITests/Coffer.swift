import Foundation
import Glibc
import XCTest

/// Runs the built `coffer` binary in a throwaway HOME, the way a user or script would.
struct CofferRun: Equatable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

final class Sandbox {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    /// The repository's root (Tests/CofferCLITests/ is two levels below it).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let binaryDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["COFFER_BIN_DIR"] { return dir }
        // The test runner lives in the build directory beside the executables.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return dir.path
    }()

    let root: String
    let home: String
    let vault: String
    /// `XDG_RUNTIME_DIR`: where agents put their sockets, private to this sandbox.
    let runtime: String
    /// A fixed clock, so whole transcripts can be compared.
    var now = 1_796_000_000

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-test-\(UUID().uuidString)").path
        home = root + "/home"
        vault = home + "/.local/share/coffer/vault.coffer"
        runtime = root + "/run"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try write("pass", "correct horse\n")
        try write("wrong", "wrong horse\n")
    }

    deinit {
        // An agent a test left running would outlive it: lock every vault this sandbox may have unlocked.
        for socket in (try? FileManager.default.contentsOfDirectory(atPath: runtime + "/coffer")) ?? [] where socket.hasSuffix(".sock") {
            _ = try? spawn([Sandbox.binaryDirectory + "/coffer", "lock"], stdin: "", fd3: nil,
                           env: environment.merging(["COFFER_AGENT_SOCK": runtime + "/coffer/" + socket]) { $1 })
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Where the agent of `vault` (default: this sandbox's) listens, by agent-protocol.md §1: FNV-1a 64 of the
    /// vault's absolute path, in hex, under `$XDG_RUNTIME_DIR/coffer`.
    func socket(for vault: String? = nil, directory: String? = nil) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (vault ?? self.vault).utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return (directory ?? runtime + "/coffer") + "/agent-" + String(repeating: "0", count: 16 - hex.count) + hex + ".sock"
    }
    var socket: String { socket() }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        // Passphrase files are private, as a user keeps them (coffer warns about others).
        chmod(path, 0o600)
        return path
    }

    func read(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map(Array.init) }

    var environment: [String: String] {
        ["HOME": home, "PATH": Sandbox.binaryDirectory + ":/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0", "COFFER_NOW": String(now), "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": runtime]
    }

    /// `coffer ARGS` with `stdin` as standard input and `fd3` readable on descriptor 3.
    func coffer(_ arguments: [String], stdin: String = "", fd3: String? = nil, env: [String: String] = [:], setsid: Bool = true) throws -> CofferRun {
        let program = Sandbox.binaryDirectory + "/coffer"
        // setsid(1) detaches from any controlling terminal, as under git or CI: no prompt may ever wait.
        let argv = (setsid ? ["/usr/bin/setsid", "-w", program] : [program]) + arguments
        return try spawn(argv, stdin: stdin, fd3: fd3, env: environment.merging(env) { $1 })
    }

    func spawn(_ argv: [String], stdin: String, fd3: String?, env: [String: String]) throws -> CofferRun {
        let pid = try start(argv, stdin: stdin, fd3: fd3, env: env)
        return try finish(pid)
    }

    private var outputs: [pid_t: (String, String)] = [:]

    func start(_ argv: [String], stdin: String, fd3: String? = nil, env: [String: String]? = nil) throws -> pid_t {
        let id = UUID().uuidString
        let inPath = try write("in-\(id)", stdin)
        let outPath = root + "/out-\(id)", errPath = root + "/err-\(id)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let fd3 {
            posix_spawn_file_actions_addopen(&actions, 3, try write("fd3-\(id)", fd3), O_RDONLY, 0)
        }
        // Whatever else the test runner has open stays out of the child, as for a program started from a shell.
        for fd: Int32 in (fd3 == nil ? 3 : 4)..<256 where fcntl(fd, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let environment = (env ?? self.environment).map { "\($0)=\($1)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(environment) { cEnv in posix_spawn(&pid, argv[0], &actions, nil, cArgv, cEnv) }
        }
        guard status == 0 else { throw NSError(domain: "spawn", code: Int(status)) }
        outputs[pid] = (outPath, errPath)
        return pid
    }

    func finish(_ pid: pid_t) throws -> CofferRun {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let (outPath, errPath) = outputs.removeValue(forKey: pid)!
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return CofferRun(status: code, stdout: text(outPath), stderr: text(errPath))
    }

    private func text(_ path: String) -> String { String(decoding: read(path) ?? [], as: UTF8.self) }

    /// Whether a child has exited: gone, or a zombie (`kill` still succeeds on an unreaped child).
    static func hasExited(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// Another process holding `lock` with flock(1) for 30 s; returns once it holds it (flock -F execs the
    /// command with the lock taken, so its name turns to `sleep`). The caller kills and finishes it.
    func holdLock(_ lock: String) throws -> pid_t {
        let holder = try start(["/usr/bin/flock", "-F", "-x", lock, "sleep", "30"], stdin: "", env: environment)
        while !Sandbox.hasExited(holder) && !((try? String(contentsOfFile: "/proc/\(holder)/comm", encoding: .utf8)) ?? "").hasPrefix("sleep") {
            usleep(10_000)
        }
        return holder
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(&pointers)
}

/// Asserts a whole transcript: exit status, standard output and standard error, line for line.
func XCTAssertRun(_ run: CofferRun, status: Int32 = 0, stdout: [String] = [], stderr: [String] = [], _ message: String = "",
                  file: StaticString = #filePath, line: UInt = #line) {
    let expected = CofferRun(status: status,
                             stdout: stdout.map { $0 + "\n" }.joined(),
                             stderr: stderr.map { $0 + "\n" }.joined())
    XCTAssertEqual(run, expected, message, file: file, line: line)
}
