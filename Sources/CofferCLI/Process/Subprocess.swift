import Glibc

/// Runs a program to its end with its standard streams on pipes: what `check` does with curl and
/// `git setup` with git. The program is found on PATH; argv carries no secret (input goes on stdin).
enum Subprocess {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Writes `input` to the program's stdin and closes it, then reads stdout and stderr until both end
    /// (polled together, so neither pipe fills while the other is waited on). Nil when it cannot be started.
    static func run(_ argv: [String], input: [UInt8] = []) -> Result? {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { return nil }
        guard pipe(&outPipe) == 0 else { closeAll(inPipe); return nil }
        guard pipe(&errPipe) == 0 else { closeAll(inPipe + outPipe); return nil }
        // This process's ends are not inherited.
        for fd in [inPipe[1], outPipe[0], errPipe[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { args in posix_spawnp(&pid, argv[0], &actions, nil, args, environ) }
        closeAll([inPipe[0], outPipe[1], errPipe[1]])
        guard spawned == 0 else {
            closeAll([inPipe[1], outPipe[0], errPipe[0]])
            return nil
        }
        // The child may exit without reading: a write to a closed pipe must not kill coffer.
        let previous = signal(SIGPIPE, SIG_IGN)
        input.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(inPipe[1], raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; break }
                done += n
            }
        }
        close(inPipe[1])
        signal(SIGPIPE, previous)
        var result = Result(status: 0, stdout: [], stderr: [])
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    close(p.fd)
                    open.removeAll { $0 == p.fd }
                } else if p.fd == outPipe[0] {
                    result.stdout += buffer[0..<n]
                } else {
                    result.stderr += buffer[0..<n]
                }
            }
        }
        closeAll(open)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        result.status = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return result
    }

    private static func closeAll(_ fds: [Int32]) { for fd in fds { close(fd) } }
}
