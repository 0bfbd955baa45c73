import CofferSodium

/// Argon2id work factors as stored in a passphrase slot.
public struct KDFParameters: Equatable, Sendable {
    public var opsLimit: UInt64
    public var memLimit: UInt64

    public init(opsLimit: UInt64, memLimit: UInt64) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// libsodium's named levels.
    public enum Level: String, CaseIterable, Sendable {
        case interactive, moderate, sensitive
    }

    public init(level: Level) {
        switch level {
        case .interactive: self.init(opsLimit: PasswordHash.opsLimitInteractive, memLimit: PasswordHash.memLimitInteractive)
        case .moderate: self.init(opsLimit: PasswordHash.opsLimitModerate, memLimit: PasswordHash.memLimitModerate)
        case .sensitive: self.init(opsLimit: PasswordHash.opsLimitSensitive, memLimit: PasswordHash.memLimitSensitive)
        }
    }

    /// The named level these parameters equal, if any.
    public var level: Level? { Level.allCases.first { KDFParameters(level: $0) == self } }

    /// Checks the policy of the spec, before any derivation runs: a crafted file can neither exhaust the
    /// machine (caps) nor downgrade the vault (floor at INTERACTIVE).
    public func validate() throws(VaultError) {
        guard (VaultFormat.opsLimitMin...VaultFormat.opsLimitMax).contains(opsLimit),
              (VaultFormat.memLimitMin...VaultFormat.memLimitMax).contains(memLimit),
              memLimit % VaultFormat.memLimitGranularity == 0
        else { throw .kdfParametersOutOfRange(opsLimit: opsLimit, memLimit: memLimit) }
    }
}
