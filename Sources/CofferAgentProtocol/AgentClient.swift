import CofferSodium
import CofferSystem

/// One connection to a running agent: a request, a response, with time-outs on both.
public final class AgentClient {
    private let fd: Int32
    public let socketPath: String

    /// Connects, or throws `notRunning` when no agent listens (no socket, or a stale one).
    public init(socketPath: String) throws(AgentError) {
        self.socketPath = socketPath
        try AgentSocket.checkDirectory(of: socketPath, create: false)
        let fd: Int32
        do {
            fd = try UnixSocket.connect(socketPath, timeoutSeconds: AgentProtocol.ioTimeoutSeconds)
        } catch where error.errno == .noSuchFileOrDirectory || error.errno == .connectionRefused {
            throw .notRunning
        } catch {
            throw .system(error)
        }
        // The agent must be this user's own: another user could have planted a socket.
        guard let uid = UnixSocket.peerUID(fd), uid == Process.effectiveUID else {
            Files.close(fd)
            throw .wrongPeer(uid: UnixSocket.peerUID(fd) ?? 0)
        }
        self.fd = fd
    }

    deinit { Files.close(fd) }

    /// One request on a new connection, or nil when no agent runs (`notRunning`): the vault is locked. No
    /// probe first, so asking costs one connection either way.
    public static func requestIfRunning(socketPath: String, _ message: AgentMessageBuilder) throws(AgentError) -> AgentMessage? {
        do {
            return try AgentClient(socketPath: socketPath).request(message)
        } catch .notRunning {
            return nil
        }
    }

    /// Sends one request and returns the response; an error response throws `.remote`.
    public func request(_ message: AgentMessageBuilder) throws(AgentError) -> AgentMessage {
        let frame: SecureBytes
        do { frame = try message.frame() } catch { throw .malformed("\(error)") }
        do {
            try frame.withUnsafeBytes { (b) throws(AgentError) in try FrameIO.writeAll(fd, b, path: socketPath) }
        } catch .system(let error) where error.errno == .brokenPipe || error.errno == .connectionReset {
            // The agent closed early: it may have answered first (a refused request), or be stopping.
        }
        let response: SecureBytes
        do {
            response = try FrameIO.readFrame(fd, limit: AgentProtocol.maxResponseBytes, path: socketPath)
        } catch .closedBeforeReply {
            // An agent that reached its limit or was signalled drops requests it has not handled: locked.
            throw .notRunning
        }
        let reply = try AgentMessage(body: response)
        if reply.string(.status) == "ok" { return reply }
        throw .remote(message: reply.string(.message) ?? "the agent refused the request",
                      kind: FailureKind(word: reply.string(.kind) ?? ""))
    }
}

/// Blocking frame I/O for clients; the agent itself reads incrementally.
enum FrameIO {
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(AgentError) {
        var done = 0
        while done < bytes.count {
            switch UnixSocket.send(fd, UnsafeRawBufferPointer(rebasing: bytes[done...])) {
            case .success(let n): done += n
            case .failure(let code) where code == .resourceTemporarilyUnavailable: throw .timedOut
            case .failure(let code): throw .system(SystemError("write to", path, code))
            }
        }
    }

    /// Reads `u32 length ‖ body` and returns the body in locked memory.
    static func readFrame(_ fd: Int32, limit: Int, path: String) throws(AgentError) -> SecureBytes {
        var header: UInt32 = 0
        try withUnsafeMutableBytes(of: &header) { (h) throws(AgentError) in try readExactly(fd, h, path: path, startsFrame: true) }
        let length = Int(UInt32(littleEndian: header))
        guard length >= 1 else { throw .malformed("empty frame") }
        guard length <= limit else { throw .tooLarge(length) }
        let body: SecureBytes
        do { body = try SecureBytes(count: length) } catch { throw .tooLarge(length) }
        try body.withUnsafeMutableBytes { (b) throws(AgentError) in try readExactly(fd, b, path: path) }
        return body
    }

    /// `startsFrame`: a close or reset before the first byte is `closedBeforeReply`, not a broken message.
    static func readExactly(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String, startsFrame: Bool = false) throws(AgentError) {
        var done = 0
        while done < buffer.count {
            switch UnixSocket.receive(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...])) {
            case .success(0): throw startsFrame && done == 0 ? .closedBeforeReply : .malformed("the connection closed mid-message")
            case .success(let n): done += n
            case .failure(let code) where code == .resourceTemporarilyUnavailable: throw .timedOut
            case .failure(let code) where code == .connectionReset && startsFrame && done == 0: throw .closedBeforeReply
            case .failure(let code): throw .system(SystemError("read from", path, code))
            }
        }
    }
}

/// Durations on the command line: `90`, `90s`, `15m`, `8h`, `1h30m`; 1 second to `maxSeconds`.
public enum DurationText {
    /// The longest an agent may keep a vault open: a year. Bounds every sum below and the agent's clock
    /// arithmetic (the same bound applies to `extend` on the wire and to `coffer agent`'s arguments).
    public static let maxSeconds = 366 * 86400

    /// Whether `seconds` is a duration an agent accepts.
    public static func isValid(_ seconds: Int) -> Bool { (1...maxSeconds).contains(seconds) }

    public static func parse(_ text: String) -> Int? {
        if let plain = Int(text) { return isValid(plain) ? plain : nil }
        var total = 0, number = 0, sawDigit = false
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                number = number * 10 + d
                sawDigit = true
                guard number < 10_000_000 else { return nil }
            } else {
                guard sawDigit else { return nil }
                switch c {
                case "s": total += number
                case "m": total += number * 60
                case "h": total += number * 3600
                case "d": total += number * 86400
                default: return nil
                }
                // number < 10^7, so one term is below 8.7 × 10^11: checked after each, the sum cannot overflow.
                guard total <= maxSeconds else { return nil }
                number = 0
                sawDigit = false
            }
        }
        guard !sawDigit, total > 0 else { return nil }
        return total
    }

    public static func format(_ seconds: Int) -> String {
        if seconds <= 0 { return "0s" }
        let h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60
        return (h > 0 ? "\(h)h" : "") + (m > 0 ? "\(m)m" : "") + (s > 0 || seconds < 60 ? "\(s)s" : "")
    }
}
