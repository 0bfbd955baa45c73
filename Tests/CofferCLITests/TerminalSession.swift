import CSystemShims
import Foundation
import Glibc
import XCTest

/// A command on a pseudo-terminal that is its controlling terminal, as when a person runs it: the test
/// waits for each prompt before typing, as a person would, and gets the whole transcript back.
final class TerminalSession {
    let master: Int32
    let pid: pid_t
    private var output: [UInt8] = []
    private var seen = 0
    private var reaped = false

    init(_ argv: [String], env: [String: String]) throws {
        var path = [CChar](repeating: 0, count: 128)
        master = coffer_open_pty(&path, path.count)
        guard master >= 0 else { throw NSError(domain: "pty", code: Int(errno)) }
        let slave = String(cString: path)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc): a new session, so the terminal opened next becomes its controlling one.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        for fd: Int32 in 3..<256 where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) }
        var child: pid_t = 0
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0)=\($1)") } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        let status = posix_spawn(&child, argv[0], &actions, &attributes, cArgv, cEnv)
        guard status == 0 else { throw NSError(domain: "spawn", code: Int(status)) }
        pid = child
    }

    deinit {
        // A command a failed test left waiting at a prompt; never a pid already reaped (it may be reused).
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Waits (at most 20 s) until the output since the last `expect` holds `text`.
    func expect(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let range = String(decoding: output[seen...], as: UTF8.self).range(of: text) {
                seen += String(decoding: output[seen...], as: UTF8.self)[..<range.upperBound].utf8.count
                return
            }
            guard pump(timeout: 100) else { break }
        }
        XCTFail("no '\(text)' in: \(transcript)", file: file, line: line)
    }

    func type(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what there is; false once the terminal is closed (the command ended).
    @discardableResult
    private func pump(timeout: Int32) -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeout) >= 0 else { return true }
        guard poller.revents != 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &buffer, buffer.count)
        guard n > 0 else { return false }
        output += buffer[..<n]
        return true
    }

    /// Everything the command wrote, with the terminal's CR LF as LF.
    var transcript: String { String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") }

    /// Waits (at most 30 s) for the command to end and returns its exit status and transcript; a command
    /// still waiting after that (at a prompt the test did not expect) is killed and the test fails.
    func finish(file: StaticString = #filePath, line: UInt = #line) -> (status: Int32, transcript: String) {
        let deadline = Date().addingTimeInterval(30)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                reaped = true
                XCTFail("the command did not end: \(transcript)", file: file, line: line)
                return (-1, transcript)
            }
            pump(timeout: 50)
        }
        reaped = true
        // What it wrote last; bounded, since a child it left behind may hold the terminal open.
        let drainUntil = Date().addingTimeInterval(2)
        while Date() < drainUntil, pump(timeout: 50), hasInput() {}
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), transcript)
    }

    private func hasInput() -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }
}
