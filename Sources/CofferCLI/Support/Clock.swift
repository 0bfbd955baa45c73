import Glibc

/// Wall-clock time in Unix seconds. `COFFER_NOW` (Unix seconds) pins it, so transcripts of the CLI
/// can be compared whole; timestamps are bookkeeping, never a security decision.
enum Clock {
    static func now() -> Int64 {
        if let pinned = getenv("COFFER_NOW").map({ String(cString: $0) }), let value = Int64(pinned) { return value }
        return Int64(time(nil))
    }

    /// RFC 3339 in UTC, to the second: `2026-11-29T02:00:00Z`.
    static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
