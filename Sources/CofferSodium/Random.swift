internal import CSodium

/// Public randomness (salts, nonces) from libsodium's CSPRNG (`randombytes_buf`).
public enum Random {
    /// `count` random bytes in ordinary memory; for values that are stored in the clear.
    public static func bytes(_ count: Int) throws(SodiumError) -> [UInt8] {
        try Sodium.ready()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress, buffer.count > 0 { randombytes_buf(base, buffer.count) }
        }
        return out
    }
}
