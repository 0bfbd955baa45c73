import CofferCore
import CofferSystem

/// The CLI's clock (`WallClock`, which `COFFER_NOW` pins) and its one date format.
enum Clock {
    static func now() -> Int64 { WallClock.now() }

    /// RFC 3339 in UTC, to the second: `2026-11-29T02:00:00Z`. A time outside 1970-9999, which only a file
    /// from another writer can hold (vault-v2.md §7.3), as `@SECONDS`.
    static func format(_ seconds: Int64) -> String {
        guard (VaultFormat.minTime...VaultFormat.maxTime).contains(seconds) else { return "@\(seconds)" }
        let t = UTCTime.components(seconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(t.year)-\(two(t.month))-\(two(t.day))T\(two(t.hour)):\(two(t.minute)):\(two(t.second))Z"
    }
}
