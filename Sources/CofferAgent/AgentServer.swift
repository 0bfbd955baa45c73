import CofferAgentProtocol
import CofferCore
import CofferSodium
import CSystemShims
import Glibc

/// The write end of the self-pipe that signal handlers use to wake the poll loop.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// The agent process: holds the open vault in locked memory, answers requests on its socket, and wipes
/// everything and exits at the idle or absolute limit, on `lock`, or on SIGTERM, SIGINT or SIGHUP.
public enum AgentServer {
    public static let maxConnections = 64

    /// Runs in the detached child started by `coffer unlock`: takes the unlock hand-off (`UnlockHandoff`) on
    /// its descriptors, reports on the status pipe, then serves until a limit is reached.
    public static func run(vaultPath: String, socketPath: String, idle: Int, max: Int) -> Never {
        let statusFD = UnlockHandoff.statusDescriptor
        // Its own session: no controlling terminal, survives the shell that started it.
        _ = setsid()
        hardenProcess()
        func fail(_ kind: FailureKind, _ message: String) -> Never {
            report(statusFD, .failed(kind, message))
            exit(1)
        }
        let state: AgentState
        do {
            let unlock = try readUnlock()
            let store = VaultStore(path: vaultPath)
            let (bytes, identity) = try store.readWithIdentity()
            let vault = try Vault.open(bytes, with: unlock)
            state = AgentState(store: store, vault: vault, identity: identity)
        } catch let error as VaultError {
            fail(error.failureKind, error.description)
        } catch {
            fail(.failure, "\(error)")
        }
        let listener: Listener
        do {
            listener = try Listener(path: socketPath)
        } catch {
            fail(.failure, error.description)
        }
        installSignalHandlers()
        report(statusFD, .ok)
        close(statusFD)
        let timers = AgentTimers(idle: idle, max: max)
        Loop(listener: listener, handlers: AgentHandlers(state: state, timers: timers), timers: timers).run()
        // The vault, its key and every decrypted secret are wiped by sodium_free as `state` goes away.
        exit(0)
    }

    /// Non-dumpable and no core files: the key must not reach a disk or another process of the user.
    static func hardenProcess() {
        _ = coffer_set_nondumpable()
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        signal(SIGPIPE, SIG_IGN)
        umask(0o077)
        _ = chdir("/")
    }

    static func report(_ fd: Int32, _ status: UnlockHandoff.Status) {
        var text = status.line + "\n"
        text.withUTF8 { _ = write(fd, $0.baseAddress!, $0.count) }
    }

    static func readUnlock() throws -> Unlock {
        let fd = UnlockHandoff.secretDescriptor
        defer { close(fd) }
        let (method, secret) = try UnlockHandoff.read(from: fd)
        switch method {
        case .passphrase: return .passphrase(secret)
        case .keyFile: return .keyFile(try secret.withUnsafeBytes { try KeyFile(contents: $0) })
        }
    }

    static func installSignalHandlers() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWrite = fds[1]
        Loop.signalPipeRead = fds[0]
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = write(signalPipeWrite, &byte, 1)
        }
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, handler) }
    }
}

/// The listening socket, mode 0600 in a 0700 directory owned by the user.
final class Listener {
    let fd: Int32
    let path: String
    private let inode: ino_t

    init(path: String) throws(AgentError) {
        self.path = path
        try AgentSocket.checkDirectory(of: path, create: true)
        // A socket file already there: a live agent keeps it, a dead one's is replaced.
        do throws(AgentError) {
            _ = try AgentClient(socketPath: path)
            throw AgentError.io(operation: "listen on", path: path, errno: EADDRINUSE)
        } catch {
            guard error == .notRunning else { throw error }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io(operation: "create socket", path: path, errno: errno) }
        let bound = try AgentSocket.withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0 else { let e = errno; close(fd); throw .io(operation: "bind", path: path, errno: e) }
        chmod(path, 0o600)
        guard listen(fd, 128) == 0 else { let e = errno; close(fd); throw .io(operation: "listen on", path: path, errno: e) }
        var info = stat()
        stat(path, &info)
        inode = info.st_ino
        self.fd = fd
    }

    /// Removes the socket file, unless another agent has since put its own there.
    func remove() {
        var info = stat()
        if stat(path, &info) == 0 && info.st_ino == inode { unlink(path) }
        close(fd)
    }
}

/// One client connection: reads one framed request, writes one framed response, then closes.
final class Connection {
    let fd: Int32
    let deadline: Int
    var header = [UInt8](repeating: 0, count: 4)
    var headerCount = 0
    var body: SecureBytes?
    var bodyCount = 0
    var output: SecureBytes?
    var outputCount = 0
    var stopAfterReply = false

    init(fd: Int32, deadline: Int) {
        self.fd = fd
        self.deadline = deadline
    }

    var writing: Bool { output != nil }

    deinit { close(fd) }
}

/// The single-threaded event loop: every connection is non-blocking and has a deadline, so a client
/// that stalls never delays another.
struct Loop {
    nonisolated(unsafe) static var signalPipeRead: Int32 = -1
    /// How long a stopping agent, key still in memory, waits for slow readers of replies already made.
    static let drainMilliseconds = 1000

    let listener: Listener
    let handlers: AgentHandlers
    let timers: AgentTimers

    func run() {
        var connections: [Connection] = []
        var stopping = false
        while !stopping && !timers.expired {
            var pollfds = [pollfd(fd: Loop.signalPipeRead, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)]
            for c in connections { pollfds.append(pollfd(fd: c.fd, events: Int16(c.writing ? POLLOUT : POLLIN), revents: 0)) }
            let now = AgentTimers.nowMilliseconds()
            var timeout = timers.millisecondsLeft
            for c in connections { timeout = min(timeout, c.deadline - now) }
            let ready = poll(&pollfds, nfds_t(pollfds.count), Int32(max(0, min(timeout, 60_000)) + 1))
            if ready < 0 && errno != EINTR { break }
            if pollfds[0].revents != 0 { return finish([]) } // a signal: wipe and exit at once
            var survivors: [Connection] = []
            for (i, c) in connections.enumerated() {
                let events = pollfds[i + 2].revents
                var keep = AgentTimers.nowMilliseconds() < c.deadline
                if keep && events & Int16(POLLOUT) != 0 { keep = flush(c) }
                else if keep && events & Int16(POLLIN) != 0 { keep = receive(c) }
                else if keep && events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { keep = false }
                if c.stopAfterReply { stopping = true }
                if keep { survivors.append(c) }
            }
            connections = survivors
            if !stopping && pollfds[1].revents & Int16(POLLIN) != 0 { accept(into: &connections) }
        }
        finish(connections)
    }

    /// Stopping. The socket goes first, so no client reaches an agent that is leaving (one waiting in the
    /// backlog is reset). Replies already being written are finished, within `drainMilliseconds`; a request
    /// not yet read whole is dropped unanswered. Clients read "closed before any reply" as "locked": a request
    /// is handled whole or not at all, so nothing is lost.
    private func finish(_ connections: [Connection]) {
        listener.remove()
        var writers = connections.filter(\.writing)
        let until = AgentTimers.nowMilliseconds() + Loop.drainMilliseconds
        while !writers.isEmpty {
            let left = until - AgentTimers.nowMilliseconds()
            guard left > 0 else { return }
            var pollfds = [pollfd(fd: Loop.signalPipeRead, events: Int16(POLLIN), revents: 0)]
            for c in writers { pollfds.append(pollfd(fd: c.fd, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&pollfds, nfds_t(pollfds.count), Int32(left))
            if ready < 0 && errno != EINTR { return }
            if pollfds[0].revents != 0 { return }
            writers = writers.enumerated().filter { i, c in
                let events = pollfds[i + 1].revents
                if events & Int16(POLLOUT) != 0 { return flush(c) }
                return events == 0
            }.map(\.element)
        }
    }

    private func accept(into connections: inout [Connection]) {
        while true {
            let fd = Glibc.accept(listener.fd, nil, nil)
            if fd < 0 { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var uid: uid_t = 0
            // Only this user's processes may talk to the agent.
            guard coffer_peer_uid(fd, &uid) == 0, uid == geteuid(), connections.count < AgentServer.maxConnections else {
                close(fd)
                continue
            }
            connections.append(Connection(fd: fd, deadline: AgentTimers.nowMilliseconds() + AgentProtocol.ioTimeoutSeconds * 1000))
        }
    }

    /// Reads what is available; returns false when the connection is done with.
    private func receive(_ c: Connection) -> Bool {
        if c.headerCount < 4 {
            let n = c.header.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress! + c.headerCount, 4 - c.headerCount, 0) }
            if n <= 0 { return n < 0 && (errno == EAGAIN || errno == EINTR) }
            c.headerCount += n
            guard c.headerCount == 4 else { return true }
            let length = c.header.reversed().reduce(0) { $0 << 8 | Int($1) }
            guard length >= 1, length <= AgentProtocol.maxRequestBytes else {
                return reply(c, .error("request of \(length) bytes refused (at most \(AgentProtocol.maxRequestBytes))", kind: .protocol))
            }
            guard let body = try? SecureBytes(count: length) else { return false }
            c.body = body
            return true
        }
        guard let body = c.body else { return false }
        let n = body.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress! + c.bodyCount, $0.count - c.bodyCount, 0) }
        if n <= 0 { return n < 0 && (errno == EAGAIN || errno == EINTR) }
        c.bodyCount += n
        guard c.bodyCount == body.count else { return true }
        c.body = nil
        let request: AgentMessage
        do { request = try AgentMessage(body: body) } catch {
            return reply(c, .error("\(error)", kind: .protocol))
        }
        if request.op != .status { timers.touch() }
        let (response, stop) = handlers.handle(request)
        c.stopAfterReply = stop
        return reply(c, response)
    }

    private func reply(_ c: Connection, _ response: AgentMessageBuilder) -> Bool {
        guard let frame = try? response.frame() else { return false }
        c.output = frame
        c.outputCount = 0
        return flush(c)
    }

    /// Writes what the socket takes; returns false once the whole response is out (or the peer is gone).
    private func flush(_ c: Connection) -> Bool {
        guard let output = c.output else { return false }
        while c.outputCount < output.count {
            let n = output.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.outputCount, $0.count - c.outputCount, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return true }
                c.output = nil
                return false
            }
            c.outputCount += n
        }
        c.output = nil
        return false
    }
}
