import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// The agent process: holds the open vault in locked memory, answers requests on its socket, and wipes
/// everything and exits at the idle or absolute limit, on `lock`, or on SIGTERM, SIGINT or SIGHUP.
public enum AgentServer {
    public static let maxConnections = 64
    /// How long a write waits for another writer's lock, tried every `retryMilliseconds` while everyone
    /// else is served: less than a client's 10-second wait for its reply.
    static let writeWaitMilliseconds = 8000
    static let retryMilliseconds = 20
    /// Request bytes buffered across every connection at once; past it the largest partial request is
    /// dropped, so stalled clients announcing big frames cannot pin the agent's memory.
    public static let maxBufferedBytes = 64 << 20
    /// A request's buffer starts at most this large and doubles as its bytes arrive, never on announcement.
    static let initialBodyBytes = 64 << 10

    /// Runs in the detached child started by `coffer unlock`: takes the unlock hand-off (`UnlockHandoff`) on
    /// its descriptors, reports on the status pipe, then serves until a limit is reached.
    public static func run(vaultPath: String, socketPath: String, idle: Int, max: Int) -> Never {
        let statusFD = UnlockHandoff.statusDescriptor
        Process.becomeDaemon()
        // The key must not reach a disk or another process of the user.
        Hardening.noCoreDumps()
        func fail(_ kind: FailureKind, _ message: String) -> Never {
            report(statusFD, .failed(kind, message))
            Process.exit(1)
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
        let signals: Int32
        do { signals = try SignalPipe.install(SignalPipe.terminate) } catch { fail(.failure, error.description) }
        report(statusFD, .ok)
        Files.close(statusFD)
        let timers = AgentTimers(idle: idle, max: max)
        Loop(listener: listener, handlers: AgentHandlers(state: state, teams: AgentTeams(own: state), timers: timers), timers: timers, signals: signals).run()
        // The vault, its key and every decrypted secret are wiped by sodium_free as `state` goes away.
        Process.exit(0)
    }

    static func report(_ fd: Int32, _ status: UnlockHandoff.Status) {
        // Nothing to do when the launcher is gone: it will not read the line either way.
        try? Files.writeAll(fd, Array((status.line + "\n").utf8), path: "the status pipe")
    }

    static func readUnlock() throws -> Unlock {
        let fd = UnlockHandoff.secretDescriptor
        defer { Files.close(fd) }
        let (method, secret) = try UnlockHandoff.read(from: fd)
        switch method {
        case .passphrase: return .passphrase(secret)
        case .keyFile: return .keyFile(try secret.withUnsafeBytes { try KeyFile(contents: $0) })
        }
    }
}

/// The listening socket, mode 0600 in a 0700 directory owned by the user.
final class Listener {
    let fd: Int32
    let path: String
    private let inode: UInt64

    init(path: String) throws(AgentError) {
        self.path = path
        try AgentSocket.checkDirectory(of: path, create: true)
        // A socket file already there: a live agent keeps it, a dead one's is replaced.
        do throws(AgentError) {
            _ = try AgentClient(socketPath: path)
            throw AgentError.system(SystemError("listen on", path, .addressInUse))
        } catch {
            guard error == .notRunning else { throw error }
            do { try Files.remove(path) } catch { throw .system(error) }
        }
        do {
            fd = try UnixSocket.listen(path)
        } catch { throw .system(error) }
        inode = FileStatus(path: path)?.inode ?? 0
    }

    /// Removes the socket file, unless another agent has since put its own there.
    func remove() {
        if FileStatus(path: path)?.inode == inode { try? Files.remove(path) }
        Files.close(fd)
    }
}

/// One client connection: reads one framed request, writes one framed response, then closes.
final class Connection {
    let fd: Int32
    var deadline: Int
    /// A request that found the vault's lock busy, tried again until `pendingUntil`.
    var pending: AgentMessage?
    var pendingUntil = 0
    var header = [UInt8](repeating: 0, count: 4)
    var headerCount = 0
    /// The announced length of the request, and the bytes of it received so far (`body` grows to it).
    var bodyLength = 0
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

    deinit { Files.close(fd) }
}

/// The single-threaded event loop: every connection is non-blocking and has a deadline, so a client
/// that stalls never delays another.
struct Loop {
    /// How long a stopping agent, key still in memory, waits for slow readers of replies already made.
    static let drainMilliseconds = 1000

    let listener: Listener
    let handlers: AgentHandlers
    let timers: AgentTimers
    /// The self-pipe's read end: readable once a terminating signal arrived.
    let signals: Int32

    func run() {
        var connections: [Connection] = []
        var stopping = false
        while !stopping && !timers.expired {
            var watched: [(fd: Int32, events: PollEvents)] = [(signals, .readable), (listener.fd, .readable)]
            for c in connections { watched.append((c.fd, c.writing ? .writable : .readable)) }
            let now = MonotonicClock.milliseconds()
            var timeout = timers.millisecondsLeft
            for c in connections { timeout = min(timeout, c.pending != nil ? AgentServer.retryMilliseconds : c.deadline - now) }
            guard let ready = try? Poll.wait(watched, milliseconds: max(0, min(timeout, 60_000)) + 1) else { break }
            if !ready[0].isEmpty { return finish([]) } // a signal: wipe and exit at once
            var survivors: [Connection] = []
            for (i, c) in connections.enumerated() {
                let events = ready[i + 2]
                var keep = MonotonicClock.milliseconds() < c.deadline
                if keep, let request = c.pending { keep = serve(c, request) }
                else if keep && events.contains(.writable) { keep = flush(c) }
                else if keep && events.contains(.readable) { keep = receive(c) }
                else if keep && !events.isDisjoint(with: .failed) { keep = false }
                if c.stopAfterReply { stopping = true }
                if keep { survivors.append(c) }
            }
            // Over the budget for partial requests: the largest goes (its client sees the connection close).
            while Loop.buffered(survivors) > AgentServer.maxBufferedBytes,
                  let largest = survivors.indices.max(by: { (survivors[$0].body?.count ?? 0) < (survivors[$1].body?.count ?? 0) }) {
                survivors.remove(at: largest)
            }
            connections = survivors
            if !stopping && ready[1].contains(.readable) { accept(into: &connections) }
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
        let until = MonotonicClock.milliseconds() + Loop.drainMilliseconds
        while !writers.isEmpty {
            let left = until - MonotonicClock.milliseconds()
            guard left > 0 else { return }
            let watched: [(fd: Int32, events: PollEvents)] = [(signals, .readable)] + writers.map { ($0.fd, .writable) }
            guard let ready = try? Poll.wait(watched, milliseconds: left), ready[0].isEmpty else { return }
            writers = writers.enumerated().filter { i, c in
                let events = ready[i + 1]
                if events.contains(.writable) { return flush(c) }
                return events.isEmpty
            }.map(\.element)
        }
    }

    private func accept(into connections: inout [Connection]) {
        while let fd = UnixSocket.accept(listener.fd) {
            // Only this user's processes may talk to the agent.
            guard UnixSocket.peerUID(fd) == Process.effectiveUID else {
                Files.close(fd)
                continue
            }
            // Full: the oldest connection still waiting for its request makes room. A well-behaved client
            // sends its request at once, so idle connections someone holds open are what goes.
            if connections.count >= AgentServer.maxConnections {
                guard let oldest = connections.indices.filter({ !connections[$0].writing }).min(by: { connections[$0].deadline < connections[$1].deadline }) else {
                    Files.close(fd)
                    continue
                }
                connections.remove(at: oldest)
            }
            connections.append(Connection(fd: fd, deadline: MonotonicClock.milliseconds() + AgentProtocol.ioTimeoutSeconds * 1000))
        }
    }

    /// Request bytes buffered now.
    private static func buffered(_ connections: [Connection]) -> Int { connections.reduce(0) { $0 + ($1.body?.count ?? 0) } }

    /// Reads what is available; returns false when the connection is done with.
    private func receive(_ c: Connection) -> Bool {
        if c.headerCount < 4 {
            let result = c.header.withUnsafeMutableBytes { UnixSocket.receive(c.fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[c.headerCount...])) }
            guard case .success(let n) = result, n > 0 else { return Loop.waitsForMore(result) }
            c.headerCount += n
            guard c.headerCount == 4 else { return true }
            let length = c.header.reversed().reduce(0) { $0 << 8 | Int($1) }
            guard length >= 1, length <= AgentProtocol.maxRequestBytes else {
                return reply(c, .error("request of \(length) bytes refused (at most \(AgentProtocol.maxRequestBytes))", kind: .protocol))
            }
            c.bodyLength = length
            guard let body = try? SecureBytes(count: min(length, AgentServer.initialBodyBytes)) else { return false }
            c.body = body
            return true
        }
        guard var body = c.body else { return false }
        if c.bodyCount == body.count && body.count < c.bodyLength {
            // Full and more announced: twice the size, within the agent's budget for all requests.
            guard let bigger = try? SecureBytes(count: min(c.bodyLength, body.count * 2)) else { return false }
            let used = c.bodyCount
            bigger.withUnsafeMutableBytes { to in body.withUnsafeBytes { from in to.baseAddress!.copyMemory(from: from.baseAddress!, byteCount: used) } }
            c.body = bigger
            body = bigger
        }
        let result = body.withUnsafeMutableBytes { UnixSocket.receive(c.fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[c.bodyCount...])) }
        guard case .success(let n) = result, n > 0 else { return Loop.waitsForMore(result) }
        c.bodyCount += n
        guard c.bodyCount == c.bodyLength else { return true }
        c.body = nil
        let request: AgentMessage
        do { request = try AgentMessage(body: body) } catch {
            return reply(c, .error("\(error)", kind: .protocol))
        }
        if request.op != .status { timers.touch() }
        return serve(c, request)
    }

    /// Handles a request, or keeps it for later when another writer holds the vault's lock: reads and git
    /// lookups go on being answered from memory meanwhile. After `writeWaitMilliseconds` the busy error
    /// is the answer.
    private func serve(_ c: Connection, _ request: AgentMessage) -> Bool {
        let (response, stop, busy) = handlers.handle(request)
        let now = MonotonicClock.milliseconds()
        if busy {
            if c.pending == nil {
                c.pending = request
                c.pendingUntil = now + AgentServer.writeWaitMilliseconds
                c.deadline = max(c.deadline, c.pendingUntil + 1000)
            }
            if now < c.pendingUntil { return true }
        }
        c.pending = nil
        c.stopAfterReply = stop
        return reply(c, response)
    }

    /// After a receive that got nothing: keep the connection only when the socket has no data yet.
    private static func waitsForMore(_ result: Result<Int, Errno>) -> Bool {
        if case .failure(let code) = result { return code == .resourceTemporarilyUnavailable }
        return false
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
            switch output.withUnsafeBytes({ UnixSocket.send(c.fd, UnsafeRawBufferPointer(rebasing: $0[c.outputCount...])) }) {
            case .success(let n): c.outputCount += n
            case .failure(let code) where code == .resourceTemporarilyUnavailable: return true
            case .failure:
                c.output = nil
                return false
            }
        }
        c.output = nil
        return false
    }
}
