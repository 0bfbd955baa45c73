import CofferCore
import Glibc

/// The CLI's clock (`WallClock`, which `COFFER_NOW` pins) and its one date format.
enum Clock {
    static func now() -> Int64 { WallClock.now() }

    /// RFC 3339 in UTC, to the second: `2026-11-29T02:00:00Z`.
    static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
