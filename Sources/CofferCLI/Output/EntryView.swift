import CofferCore
import FoundationEssentials

/// How entries appear in `list` and `show`, human and `--json`. The JSON field names are documented in
/// the README; secrets appear only in `show --reveal`.
struct EntryView: Encodable {
    struct Rejected: Encodable { let at: String; let host: String }
    struct Exposed: Encodable { let member: String; let since: String }
    struct History: Encodable {
        let created: String
        let retired: String
        let username: String?
        let secret: String?
    }

    let name: String
    let kind: String
    let enabled: Bool
    let state: String
    let host: String
    let `protocol`: String?
    let path: String?
    let username: String?
    let token_type: String?
    let authtype: String?
    let password_expiry_utc: Int64?
    let note: String?
    let origin: String
    let rejected: Rejected?
    let created: String
    let updated: String
    let history_count: Int
    /// Removed team members who could read the current secret; absent when none.
    let exposed: [Exposed]?
    // show only
    let secret: String?
    let oauth_refresh_token: String?
    let has_oauth_refresh_token: Bool?
    let history: [History]?

    init(_ e: Entry, detail: Bool = false, reveal: Bool = false) {
        name = e.name
        kind = e.kind.word
        enabled = e.enabled
        state = EntryView.state(e)
        host = e.host
        self.protocol = e.protocol
        path = e.path
        username = e.username
        token_type = e.tokenType?.rawValue
        authtype = e.authtype
        password_expiry_utc = e.passwordExpiryUTC
        note = e.note
        origin = e.origin.word
        rejected = e.rejectedAt.map { Rejected(at: Clock.format($0), host: e.rejectedHost ?? "") }
        created = Clock.format(e.created)
        updated = Clock.format(e.updated)
        history_count = e.history.count
        exposed = e.exposures.isEmpty ? nil : e.exposures.map { Exposed(member: $0.member, since: Clock.format($0.since)) }
        secret = reveal ? e.secret.revealed() : nil
        oauth_refresh_token = reveal ? e.oauthRefreshToken?.revealed() : nil
        has_oauth_refresh_token = detail ? e.oauthRefreshToken != nil : nil
        history = detail ? e.history.map {
            History(created: Clock.format($0.created), retired: Clock.format($0.retired), username: $0.username,
                    secret: reveal ? $0.secret.revealed() : nil)
        } : nil
    }

    /// `, exposed to carol since …` in `list`'s state column (several names joined).
    static func exposureText(_ e: Entry) -> String {
        guard let first = e.exposures.first else { return "" }
        return ", exposed to " + e.exposures.map(\.member).joined(separator: ", ") + " since " + Clock.format(first.since)
    }

    static func state(_ e: Entry) -> String {
        e.enabled ? "enabled" : (e.rejectedAt != nil ? "rejected" : "disabled")
    }

    /// The labels of the username and secret fields, by kind.
    static func labels(_ e: Entry) -> (user: String, secret: String) { e.authtype != nil ? ("username", "credential") : labels(e.kind, e.tokenType) }

    static func labels(_ kind: EntryKind, _ tokenType: TokenType?) -> (user: String, secret: String) {
        switch kind {
        case .keypair: ("public key", "private key")
        case .downloadToken: ("mageid", "token")
        case .login: ("username", "password")
        case .token: tokenType == .bitbucketOAuth ? ("consumer key", "consumer secret") : ("username", "token")
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
