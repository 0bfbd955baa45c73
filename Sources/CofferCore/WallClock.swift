import CofferSystem

/// Wall-clock time in Unix seconds. `COFFER_NOW` (Unix seconds) pins it, so transcripts can be compared
/// whole; timestamps and expiry are bookkeeping, never what guards a secret.
public enum WallClock {
    public static func now() -> Int64 {
        if let pinned = Environment.get("COFFER_NOW"), let value = Int64(pinned) { return value }
        return UTCTime.now()
    }
}
