import CSystemShims
import Glibc

/// Starting programs with `posix_spawn`: what the child's descriptors are, and waiting for it.
public enum Spawn {
    /// One change to the child's descriptors, in order.
    public enum Action: Sendable {
        /// Open `path` as descriptor `fd`.
        case open(Int32, path: String, flags: Int32)
        /// The parent's descriptor `from` becomes the child's `to`.
        case duplicate(Int32, to: Int32)
        case close(Int32)
        /// `/dev/null`, for reading and writing, as descriptor `fd`.
        case null(Int32)
    }

    /// Starts `argv`. `searchPath`: find `argv[0]` on PATH. `environment`: the child's, else this one's.
    public static func start(_ argv: [String], searchPath: Bool, actions: [Action] = [], environment: [String: String]? = nil) throws(SystemError) -> pid_t {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        for action in actions {
            switch action {
            case .open(let fd, let path, let flags): posix_spawn_file_actions_addopen(&fileActions, fd, path, flags, 0)
            case .duplicate(let from, let to): posix_spawn_file_actions_adddup2(&fileActions, from, to)
            case .close(let fd): posix_spawn_file_actions_addclose(&fileActions, fd)
            case .null(let fd): posix_spawn_file_actions_addopen(&fileActions, fd, "/dev/null", O_RDWR, 0)
            }
        }
        var pid: pid_t = 0
        let status = withCStrings(argv) { args in
            if let environment {
                return withCStrings(environment.map { "\($0)=\($1)" }) { env in
                    searchPath ? posix_spawnp(&pid, argv[0], &fileActions, nil, args, env) : posix_spawn(&pid, argv[0], &fileActions, nil, args, env)
                }
            }
            return searchPath ? posix_spawnp(&pid, argv[0], &fileActions, nil, args, environ) : posix_spawn(&pid, argv[0], &fileActions, nil, args, environ)
        }
        // posix_spawn returns the error number instead of setting errno.
        guard status == 0 else { throw SystemError("run", argv[0], Errno(rawValue: status)) }
        return pid
    }

    /// Waits for the child; its raw wait status.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        _ = retryingInterrupts { waitpid(pid, &status, 0) }
        return status
    }

    /// The wait status as a shell reports it: the exit code, or 128 + the signal.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Descriptors from `first` up that are open now: to close in a child that must inherit nothing else.
    public static func openDescriptors(from first: Int32) -> [Int32] {
        (first..<256).filter { fcntl($0, F_GETFD) != -1 }
    }

    /// A pipe whose ends are both close-on-exec (a child gets an end only through `duplicate`).
    public static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try systemCall("create", "a pipe") { coffer_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }
}

/// Lends `strings` to `body` as a NULL-terminated C array; the copies are freed after.
public func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(&pointers)
}

/// The child a foreground run passes signals on to.
nonisolated(unsafe) private var foregroundChild: pid_t = 0

extension Spawn {
    /// Runs `argv` (found on PATH) as a shell runs a foreground command: in this process group and on this
    /// terminal, so Ctrl-C reaches it directly. Meanwhile SIGINT and SIGQUIT are ignored here, SIGTERM and
    /// SIGHUP passed on. Returns its wait status.
    public static func runInForeground(_ argv: [String], environment: [String: String]) throws(SystemError) -> Int32 {
        let pid = try start(argv, searchPath: true, environment: environment)
        foregroundChild = pid
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let forward: @convention(c) (Int32) -> Void = { sig in kill(foregroundChild, sig) }
        signal(SIGTERM, forward)
        signal(SIGHUP, forward)
        return wait(pid)
    }
}

extension Process {
    /// Ends this process the way a child ended: the same exit code, or the same signal.
    public static func exitLike(_ status: Int32) -> Never {
        let signalled = status & 0x7F
        if signalled == 0 { Glibc.exit((status >> 8) & 0xFF) }
        signal(signalled, SIG_DFL)
        raise(signalled)
        Glibc.exit(128 + signalled)
    }
}
