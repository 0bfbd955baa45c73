import Glibc

/// The monotonic clock in milliseconds: for time-outs and the agent's limits, which a change of the wall
/// clock must not move.
public enum MonotonicClock {
    public static func milliseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }
}

/// What a descriptor is ready for, or asked to be watched for.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
    /// Error, hang-up or an invalid descriptor (`POLLERR | POLLHUP | POLLNVAL`): reported, never asked for.
    public static let failed = PollEvents(rawValue: Int16(POLLERR | POLLHUP | POLLNVAL))
}

public enum Poll {
    /// Waits until one of `watched` is ready or `milliseconds` pass (negative: no limit); what each became
    /// ready for, in order. An interrupted wait returns nothing ready, so the caller looks again.
    public static func wait(_ watched: [(fd: Int32, events: PollEvents)], milliseconds: Int) throws(SystemError) -> [PollEvents] {
        var fds = watched.map { pollfd(fd: $0.fd, events: $0.events.rawValue, revents: 0) }
        let limit = Int32(clamping: milliseconds)
        let n = poll(&fds, nfds_t(fds.count), limit)
        if n < 0 {
            let code = Errno.current
            if code == .interrupted { return Array(repeating: [], count: fds.count) }
            throw SystemError("wait on", "descriptors", code)
        }
        return fds.map { PollEvents(rawValue: $0.revents) }
    }
}

/// The write end of the self-pipe that signal handlers use to wake a poll loop.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// A self-pipe: the signals given make its read end readable, so a poll loop notices them.
public enum SignalPipe {
    /// Installs handlers for `signals` and returns the pipe's read end (non-blocking, close-on-exec).
    public static func install(_ signals: [Int32]) throws(SystemError) -> Int32 {
        let (read, write) = try Spawn.pipe()
        for fd in [read, write] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        signalPipeWrite = write
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = Glibc.write(signalPipeWrite, &byte, 1)
        }
        for sig in signals { signal(sig, handler) }
        return read
    }

    public static let terminate: [Int32] = [SIGTERM, SIGINT, SIGHUP]
}

extension Process {
    /// A process of its own session (no controlling terminal, outlives the shell that started it), with a
    /// private umask, `/` as its directory, and SIGPIPE ignored: the agent's settings.
    public static func becomeDaemon() {
        _ = setsid()
        signal(SIGPIPE, SIG_IGN)
        umask(0o077)
        _ = chdir("/")
    }

    /// Ends the process with `code`.
    public static func exit(_ code: Int32) -> Never { Glibc.exit(code) }
}

extension Process {
    public static func sleep(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }
}

/// Wall-clock time, in UTC.
public enum UTCTime {
    /// Unix seconds now.
    public static func now() -> Int64 { Int64(time(nil)) }

    /// Year, month (1-12), day, hour, minute, second of `seconds`.
    public static func components(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
