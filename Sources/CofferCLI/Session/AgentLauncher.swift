import CofferAgentProtocol
import CofferSodium
import Glibc

/// Starts `coffer agent` as a detached process and makes the unlock hand-off (`UnlockHandoff`): the secret
/// goes down a pipe (never argv or the environment), and the agent's first line on a second pipe says
/// whether it opened the vault.
enum AgentLauncher {
    static func start(vault: String, socket: String, idle: Int, max: Int, method: UnlockHandoff.Method, secret: SecureBytes) throws {
        let handoff = try UnlockHandoff.encode(method, secret)
        var unlockPipe: [Int32] = [0, 0], statusPipe: [Int32] = [0, 0]
        guard pipe(&unlockPipe) == 0, pipe(&statusPipe) == 0 else { throw CLIError.failure("cannot create a pipe for the agent") }
        for fd in [unlockPipe[1], statusPipe[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, unlockPipe[0], UnlockHandoff.secretDescriptor)
        posix_spawn_file_actions_adddup2(&actions, statusPipe[1], UnlockHandoff.statusDescriptor)
        for fd: Int32 in 5..<256 where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) }
        let program = executablePath()
        let argv = [program, "agent", "--vault", vault, "--socket", socket, "--idle", String(idle), "--max", String(max)]
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { args in posix_spawn(&pid, program, &actions, nil, args, environ) }
        close(unlockPipe[0])
        close(statusPipe[1])
        defer { close(statusPipe[0]) }
        guard spawned == 0 else {
            close(unlockPipe[1])
            throw CLIError.failure("cannot start the agent: \(String(cString: strerror(spawned)).lowercased())")
        }
        handoff.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(unlockPipe[1], raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; break }
                done += n
            }
        }
        close(unlockPipe[1])
        let status = UnlockHandoff.Status(line: readLine(statusPipe[0]))
        guard case .failed(let kind, let message) = status else { return }
        // Reap a child that failed; one that succeeded lives on, adopted by init once this process exits.
        var wstatus: Int32 = 0
        waitpid(pid, &wstatus, 0)
        throw AgentError.remote(message: message, kind: kind)
    }

    static func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096 {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0A { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func executablePath() -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let n = readlink("/proc/self/exe", &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : CommandLine.arguments[0]
    }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(&pointers)
}
