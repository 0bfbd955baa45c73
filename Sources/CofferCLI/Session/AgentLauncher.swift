import CofferAgentProtocol
import CofferSodium
import CofferSystem

/// Starts `coffer agent` as a detached process and makes the unlock hand-off (`UnlockHandoff`): the secret
/// goes down a pipe (never argv or the environment), and the agent's first line on a second pipe says
/// whether it opened the vault.
enum AgentLauncher {
    static func start(vault: String, socket: String, idle: Int, max: Int, method: UnlockHandoff.Method, secret: SecureBytes) throws {
        let handoff = try UnlockHandoff.encode(method, secret)
        let unlock: (read: Int32, write: Int32), status: (read: Int32, write: Int32)
        do {
            unlock = try Spawn.pipe()
            status = try Spawn.pipe()
        } catch { throw CLIError.failure("cannot create a pipe for the agent: \(error.errno.text)") }
        // The agent gets its two pipe ends as descriptors 3 and 4, /dev/null as its standard streams, and
        // nothing else this process has open.
        var actions: [Spawn.Action] = [
            .null(0), .null(1), .null(2),
            .duplicate(unlock.read, to: UnlockHandoff.secretDescriptor), .duplicate(status.write, to: UnlockHandoff.statusDescriptor),
        ]
        actions += Spawn.openDescriptors(from: 5).map { .close($0) }
        let program = Environment.executablePath
        let argv = [program, "agent", "--vault", vault, "--socket", socket, "--idle", String(idle), "--max", String(max)]
        let pid: Int32
        do {
            pid = try Spawn.start(argv, searchPath: false, actions: actions, environment: agentEnvironment())
        } catch {
            for fd in [unlock.read, unlock.write, status.read, status.write] { Files.close(fd) }
            throw CLIError.failure("cannot start the agent: \(error.errno.text)")
        }
        Files.close(unlock.read)
        Files.close(status.write)
        defer { Files.close(status.read) }
        // An agent that died early closes the pipe: its status line then says so.
        try? handoff.withUnsafeBytes { (b) throws(SystemError) in try Files.writeAll(unlock.write, b, path: "the unlock pipe") }
        Files.close(unlock.write)
        let reply = UnlockHandoff.Status(line: readLine(status.read))
        guard case .failed(let kind, let message) = reply else { return }
        // Reap a child that failed; one that succeeded lives on, adopted by init once this process exits.
        _ = Spawn.wait(pid)
        throw AgentError.remote(message: message, kind: kind)
    }

    /// The agent lives for hours holding the vault: it gets none of the unlocking shell's environment (a
    /// `COMPOSER_AUTH` or token there would stay in its memory), only a fixed PATH and Coffer's own pinned
    /// clock (`COFFER_NOW`, for transcripts) and test hooks (`COFFER_TEST_*`).
    static func agentEnvironment() -> [String: String] {
        var environment = ["PATH": "/usr/bin:/bin"]
        for (key, value) in Environment.all where key == "COFFER_NOW" || key.hasPrefix("COFFER_TEST_") { environment[key] = value }
        return environment
    }

    /// The agent's status line (it holds no secret).
    static func readLine(_ fd: Int32) -> String {
        let line = (try? LineReader.readLine(fd: fd, limit: 4096)) ?? nil
        return line.map { $0.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } } ?? ""
    }
}
