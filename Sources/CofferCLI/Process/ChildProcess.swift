import Glibc

/// Runs a command as `coffer exec` does: same terminal and process group, so Ctrl-C reaches it directly;
/// SIGTERM and SIGHUP sent to coffer are passed on.
enum ChildProcess {
    nonisolated(unsafe) static var child: pid_t = 0

    static func run(_ command: [String], environment: [String: String]) throws -> Int32 {
        let env = environment.map { "\($0)=\($1)" }
        var pid: pid_t = 0
        let spawned = withCStrings(command) { argv in
            withCStrings(env) { envp in posix_spawnp(&pid, command[0], nil, nil, argv, envp) }
        }
        guard spawned == 0 else {
            throw CLIError.failure("cannot run \(command[0]): \(String(cString: strerror(spawned)).lowercased())")
        }
        child = pid
        // The child gets Ctrl-C from the terminal itself; coffer waits it out, as a shell would.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let forward: @convention(c) (Int32) -> Void = { sig in kill(ChildProcess.child, sig) }
        signal(SIGTERM, forward)
        signal(SIGHUP, forward)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw CLIError.failure("lost track of \(command[0])") }
        }
        return status
    }

    /// Ends coffer the way the child ended: the same exit code, or the same signal.
    static func exitLike(_ status: Int32) -> Never {
        let signalled = status & 0x7F
        if signalled == 0 { exit((status >> 8) & 0xFF) }
        signal(signalled, SIG_DFL)
        raise(signalled)
        exit(128 + signalled)
    }
}
