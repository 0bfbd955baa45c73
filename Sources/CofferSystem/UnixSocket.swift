import CSystemShims
import Glibc

/// Unix stream sockets, as the agent and its clients use them. Descriptors are plain `Int32`s owned by
/// the caller; nothing here leaks one on a failure.
public enum UnixSocket {
    /// A connected socket with send and receive time-outs; `ENOENT`/`ECONNREFUSED` come back as such, so
    /// a caller can tell "nothing listens" from a failure.
    public static func connect(_ path: String, timeoutSeconds: Int) throws(SystemError) -> Int32 {
        let fd = try systemCall("create a socket for", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(SystemError) {
            try withAddress(path) { (address, length) throws(SystemError) in
                try systemCall("connect to", path) { Glibc.connect(fd, address, length) }
            }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
                try systemCall("set a time-out on", path) {
                    setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A non-blocking listening socket bound at `path`, mode 0600.
    public static func listen(_ path: String, backlog: Int32 = 128) throws(SystemError) -> Int32 {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = try systemCall("create a socket for", path) { socket(AF_UNIX, flags, 0) }
        do throws(SystemError) {
            try withAddress(path) { (address, length) throws(SystemError) in
                try systemCall("bind", path) { bind(fd, address, length) }
            }
            try systemCall("chmod", path) { chmod(path, 0o600) }
            try systemCall("listen on", path) { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The next waiting connection, non-blocking and close-on-exec; nil when none waits.
    public static func accept(_ listener: Int32) -> Int32? {
        guard case .success(let fd) = retryingInterrupts({ coffer_accept_cloexec_nonblock(listener) }) else { return nil }
        return fd
    }

    /// The uid of the process at the other end (`SO_PEERCRED`).
    public static func peerUID(_ fd: Int32) -> uid_t? {
        var uid: uid_t = 0
        return coffer_peer_uid(fd, &uid) == 0 ? uid : nil
    }

    /// One `send` (`MSG_NOSIGNAL`: a closed peer is an error, not SIGPIPE): the bytes sent.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        retryingInterrupts { Glibc.send(fd, bytes.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One `recv`: the bytes received, 0 at end of stream.
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        retryingInterrupts { recv(fd, buffer.baseAddress!, buffer.count, 0) }
    }

    /// Fills a `sockaddr_un` for `path` and lends it to `body`; paths longer than `sun_path` are refused.
    public static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw SystemError("use socket path", path, .fileNameTooLong) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) -> R in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (p) throws(SystemError) -> R in
                try body(p, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}

/// Process settings for anything that holds a secret.
public enum Hardening {
    /// Non-dumpable (no core files, no ptrace by the user's other processes) with RLIMIT_CORE 0.
    public static func noCoreDumps() {
        _ = coffer_set_nondumpable()
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
    }
}
