import CofferSodium

/// A person's (or a host's) X25519 key pair for team vaults (v2 §11.1). The secret key lives in the owner's
/// own vault (payload field `identity`), so one passphrase and one unlock guard it and every credential
/// alike; the public key is what a team lead pastes into `coffer member add`.
public struct Identity: Sendable {
    public let secretKey: SecureBytes
    public let publicKey: [UInt8]
    /// Unix seconds.
    public let created: Int64

    /// The one-line form of a public key: this prefix, then 64 lowercase hexadecimal digits.
    public static let publicKeyPrefix = "COFFER-MEMBER-1:"

    public init(secretKey: SecureBytes, created: Int64) throws(VaultError) {
        guard secretKey.count == VaultFormat.vaultKeyBytes else { throw .invalidEntry("an identity's secret key is 32 bytes") }
        self.secretKey = secretKey
        self.created = created
        do { publicKey = try SealedBox.publicKey(secretKey: secretKey) } catch { throw .crypto(error) }
    }

    /// A new key pair from the CSPRNG.
    public static func generate(now: Int64 = WallClock.now()) throws(VaultError) -> Identity {
        let secret: SecureBytes
        do { secret = try SecureBytes.random(count: VaultFormat.vaultKeyBytes) } catch { throw .crypto(error) }
        return try Identity(secretKey: secret, created: now)
    }

    public var publicKeyLine: String { Identity.line(publicKey) }

    public static func line(_ publicKey: [UInt8]) -> String { publicKeyPrefix + hex(publicKey) }

    /// The public key in `line`; nil unless it is exactly the prefix and 64 lowercase hex digits.
    public static func publicKey(parsing line: String) -> [UInt8]? {
        guard line.hasPrefix(publicKeyPrefix) else { return nil }
        let digits = Array(line.utf8.dropFirst(publicKeyPrefix.utf8.count))
        guard digits.count == 2 * VaultFormat.publicKeyBytes else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = KeyFile.nibble(digits[i]), let low = KeyFile.nibble(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    /// `xxxx:xxxx:xxxx:xxxx`: the first 8 bytes of BLAKE2b-256 of the public key, for people to compare.
    public static func fingerprint(_ publicKey: [UInt8]) -> String {
        let digest = (try? GenericHash.digest(publicKey)) ?? []
        let text = hex(Array(digest.prefix(8)))
        return stride(from: 0, to: text.count, by: 4).map { i in
            String(text[text.index(text.startIndex, offsetBy: i)..<text.index(text.startIndex, offsetBy: i + 4)])
        }.joined(separator: ":")
    }

    public var fingerprint: String { Identity.fingerprint(publicKey) }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
