import Glibc

/// Runs a program to its end with its standard streams on pipes: what `check` does with curl and
/// `git setup` with git. The program is found on PATH; argv carries no secret (input goes on stdin).
public enum Subprocess {
    public struct Result {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Writes `input` to the program's stdin and closes it, then reads stdout and stderr until both end
    /// (polled together, so neither pipe fills while the other is waited on). Nil when it cannot be started.
    public static func run(_ argv: [String], input: [UInt8] = []) -> Result? {
        // Every end is close-on-exec: the child gets its three only through `duplicate`.
        guard let stdin = try? Spawn.pipe() else { return nil }
        guard let stdout = try? Spawn.pipe() else { closeAll([stdin.read, stdin.write]); return nil }
        guard let stderr = try? Spawn.pipe() else { closeAll([stdin.read, stdin.write, stdout.read, stdout.write]); return nil }
        let inPipe = [stdin.read, stdin.write], outPipe = [stdout.read, stdout.write], errPipe = [stderr.read, stderr.write]
        let pid = try? Spawn.start(argv, searchPath: true, actions: [
            .duplicate(inPipe[0], to: 0), .duplicate(outPipe[1], to: 1), .duplicate(errPipe[1], to: 2),
        ])
        closeAll([inPipe[0], outPipe[1], errPipe[1]])
        guard let pid else {
            closeAll([inPipe[1], outPipe[0], errPipe[0]])
            return nil
        }
        // The child may exit without reading: a write to a closed pipe must not kill coffer.
        let previous = signal(SIGPIPE, SIG_IGN)
        try? Files.writeAll(inPipe[1], input, path: argv[0])
        close(inPipe[1])
        signal(SIGPIPE, previous)
        var result = Result(status: 0, stdout: [], stderr: [])
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            guard let ready = try? Poll.wait(open.map { ($0, .readable) }, milliseconds: -1) else { break }
            for (fd, events) in zip(open, ready) where !events.isEmpty {
                let n = (try? systemCall("read", argv[0]) { read(fd, &buffer, buffer.count) }) ?? 0
                if n <= 0 {
                    close(fd)
                    open.removeAll { $0 == fd }
                } else if fd == outPipe[0] {
                    result.stdout += buffer[0..<n]
                } else {
                    result.stderr += buffer[0..<n]
                }
            }
        }
        closeAll(open)
        result.status = Spawn.exitCode(Spawn.wait(pid))
        return result
    }

    private static func closeAll(_ fds: [Int32]) { for fd in fds { close(fd) } }
}
