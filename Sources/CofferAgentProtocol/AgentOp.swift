/// The ops the agent serves (`Formats/agent-protocol.md` §3), by their names on the wire.
public enum AgentOp: String, Sendable, CaseIterable {
    case status
    case lock
    case extend
    /// Entries without their secrets, for `list` and `show`.
    case list
    /// Selected entries with their secrets, for `show --reveal`, exports, `exec` and `check`.
    case export
    /// One change to the entries, applied under the vault's lock.
    case change
    case slots
    case slotAddKeyFile = "slot-add-keyfile"
    case slotRemove = "slot-remove"
    /// A fresh vault key for every remaining slot (`coffer rekey`).
    case rekey
    case gitGet = "git-get"
    case gitStore = "git-store"
    case gitErase = "git-erase"
    /// Version 4, team vaults (`vault-v2.md` §11).
    case identity
    case identityInit = "identity-init"
    case teams
    case teamInit = "team-init"
    case teamAdd = "team-add"
    case teamRemove = "team-remove"
    case members
    case memberAdd = "member-add"
    case memberRemove = "member-remove"
    case merge
}

/// Every field name used on the wire, request and response alike (§3): defined once, so client and agent
/// cannot drift apart.
public enum AgentField: String, Sendable, CaseIterable {
    // Every message.
    case op, status, message, kind
    // status and extend.
    case vault, pid, idle, max
    case idleLeft = "idle-left"
    case maxLeft = "max-left"
    case entries, generation
    // list, export: the selection, and what comes back.
    case name, host
    case entryKind = "entry-kind"
    case enabledOnly = "enabled-only"
    case history, payload
    // change.
    case change, now, secret, username
    case skipExisting = "skip-existing"
    case purgeHistory = "purge-history"
    case acceptExposure = "accept-exposure"
    case changed, added, skipped
    // change rename and edit.
    case newName = "new-name"
    case note
    case unset
    // Slots.
    case slot, id, label
    case unlockedSlot = "unlocked-slot"
    case keyFile = "key-file"
    // git: the attributes of `GitAttribute`, and the capability a request announced.
    case `protocol`, path, password
    case passwordExpiryUTC = "password-expiry-utc"
    case oauthRefreshToken = "oauth-refresh-token"
    case authtype, credential
    case capabilityAuthtype = "capability-authtype"
    // Team vaults.
    case publicKey = "public-key"
    case fingerprint, created, team, member, accept, sealer, exposed, problem
    case vaultID = "vault-id"
    case base, ours, theirs
}

/// git's credential attributes (git-credential(1), "INPUT/OUTPUT FORMAT") that cross the agent's socket,
/// with their names in git's protocol and on the agent's wire.
public enum GitAttribute: CaseIterable, Sendable {
    case `protocol`, host, path, username, password, passwordExpiryUTC, oauthRefreshToken, authtype, credential

    /// The attribute's name in git's credential protocol.
    public var git: String {
        switch self {
        case .protocol: "protocol"
        case .host: "host"
        case .path: "path"
        case .username: "username"
        case .password: "password"
        case .passwordExpiryUTC: "password_expiry_utc"
        case .oauthRefreshToken: "oauth_refresh_token"
        case .authtype: "authtype"
        case .credential: "credential"
        }
    }

    /// The field that carries it on the agent's wire.
    public var wire: AgentField {
        switch self {
        case .protocol: .protocol
        case .host: .host
        case .path: .path
        case .username: .username
        case .password: .password
        case .passwordExpiryUTC: .passwordExpiryUTC
        case .oauthRefreshToken: .oauthRefreshToken
        case .authtype: .authtype
        case .credential: .credential
        }
    }

    /// What selects a credential: sent with every git op.
    public static let selector: [GitAttribute] = [.protocol, .host, .path, .username]
    /// A `get` answer of a password, in the order git is told.
    public static let passwordAnswer: [GitAttribute] = [.username, .password, .passwordExpiryUTC, .oauthRefreshToken]
    /// A `get` answer of a credential for another scheme (git ≥ 2.46, `capability[]=authtype`).
    public static let credentialAnswer: [GitAttribute] = [.authtype, .credential, .username, .passwordExpiryUTC]
}
