import CofferSodium

/// What git asks about (gitcredentials(7)): the fields that select a credential.
public struct CredentialQuery: Sendable {
    public var `protocol`: String?
    public var host: String?
    public var path: String?
    public var username: String?
    /// With `erase`: only entries whose secret is this (git ≥ 2.42 sends the rejected password).
    public var password: Secret?
    /// With `erase`: only credentials for another scheme (authtype logins, bearer tokens) with this secret
    /// (git ≥ 2.46 sends the rejected `credential`).
    public var credential: Secret?
    /// The request announced `capability[]=authtype`: bearer tokens may answer.
    public var authtypeCapable = false

    public init(protocol: String?, host: String?, path: String?, username: String?) {
        self.protocol = `protocol`
        self.host = host
        self.path = path
        self.username = username
    }
}

/// Finds the entries that answer a git credential request, through an index by host, so a lookup costs
/// the same among ten entries or a hundred thousand.
///
/// Rules (README, "git credential helper"): protocol and host match exactly (host case-insensitively, port
/// included; no subdomain guessing); key pairs and download tokens answer `https` only; an entry with a path
/// answers only that path; a request with a username (an empty one too) takes only entries with that username; disabled
/// entries and expired passwords never answer; bearer tokens answer only requests that announced
/// `capability[]=authtype`. Several candidates: an entry with a path first, then login, keypair,
/// download-token, token; then the most recently updated; then by name.
public struct CredentialIndex: Sendable {
    private let entries: [Entry]
    private let byHost: [String: [Int]]

    public init(_ list: EntryList) {
        entries = list.entries
        var byHost: [String: [Int]] = [:]
        for (i, entry) in entries.enumerated() where CredentialIndex.answersGit(entry.kind, entry.tokenType) {
            byHost[entry.host.lowercased(), default: []].append(i)
        }
        self.byHost = byHost
    }

    static func answersGit(_ kind: EntryKind, _ type: TokenType?) -> Bool {
        kind != .token || type == .bearer
    }

    /// Entries that match, best first; with `includeDisabled` (for erase), disabled ones too.
    public func matches(_ query: CredentialQuery, now: Int64, includeDisabled: Bool = false) -> [Entry] {
        guard let host = query.host?.lowercased(), let indices = byHost[host] else { return [] }
        let found = indices.map { entries[$0] }.filter { CredentialIndex.matches($0, query, now: now, includeDisabled: includeDisabled) }
        return found.sorted(by: CredentialIndex.moreSpecific)
    }

    /// The one entry that answers `get`: the most specific match, found without sorting.
    public func best(_ query: CredentialQuery, now: Int64) -> Entry? {
        guard let host = query.host?.lowercased(), let indices = byHost[host] else { return nil }
        var best: Int?
        for i in indices where CredentialIndex.matches(entries[i], query, now: now, includeDisabled: false) {
            if let b = best, !CredentialIndex.moreSpecific(entries[i], entries[b]) { continue }
            best = i
        }
        return best.map { entries[$0] }
    }

    static func matches(_ e: Entry, _ q: CredentialQuery, now: Int64, includeDisabled: Bool) -> Bool {
        guard includeDisabled || e.enabled else { return false }
        let proto = q.protocol?.lowercased() ?? ""
        switch e.kind {
        case .keypair, .downloadToken: guard proto == "https" else { return false }
        case .login:
            guard proto == e.protocol?.lowercased() else { return false }
            // A credential for another scheme goes only to a git that said it can send one.
            guard e.authtype == nil || q.authtypeCapable || includeDisabled else { return false }
        case .token: guard proto == "https", q.authtypeCapable || includeDisabled else { return false }
        }
        if let path = e.path, !path.isEmpty, path != q.path { return false }
        // Present, even empty (git's `username=`), it must be the entry's: git's own helpers match so.
        if let user = q.username, user != e.username { return false }
        if !includeDisabled, let expiry = e.passwordExpiryUTC, expiry <= now { return false }
        return true
    }

    static func rank(_ kind: EntryKind) -> Int {
        switch kind {
        case .login: 0
        case .keypair: 1
        case .downloadToken: 2
        case .token: 3
        }
    }

    static func moreSpecific(_ a: Entry, _ b: Entry) -> Bool {
        let aPath = !(a.path ?? "").isEmpty, bPath = !(b.path ?? "").isEmpty
        if aPath != bPath { return aPath }
        if rank(a.kind) != rank(b.kind) { return rank(a.kind) < rank(b.kind) }
        if a.updated != b.updated { return a.updated > b.updated }
        return a.name < b.name
    }
}

/// git's `store` and `erase` applied to the entries.
extension EntryList {
    /// `store`: git reports that a credential worked. Updates the login with the same protocol, host, path,
    /// username (present, even empty, or absent) and form (password, or `authtype` credential), re-enabling it
    /// if git had rejected it; re-enables a rejected entry of another kind with the same secret; or adds a
    /// login of origin `git`. `password` is git's password, or with `authtype` its `credential`. Returns
    /// false when nothing changed.
    public mutating func gitStore(_ q: CredentialQuery, password: Secret, authtype: String? = nil, expiry: Int64?, refreshToken: Secret?,
                                  now: Int64) throws(VaultError) -> Bool {
        guard let proto = q.protocol, let host = q.host, q.username != nil || authtype != nil else { return false }
        let user = q.username
        let sameCredential = entries.filter { e in
            guard e.host.lowercased() == host.lowercased(), (e.path ?? "") == (q.path ?? "") else { return false }
            switch e.kind {
            case .login: return e.username == user && e.protocol?.lowercased() == proto.lowercased() && (e.authtype == nil) == (authtype == nil)
            case .keypair, .downloadToken: return e.username == user && proto == "https" && authtype == nil
            // The bearer token git was given by `get`, coming back: it is the same credential, not a new one.
            case .token: return e.tokenType == .bearer && user == nil && proto == "https" && authtype?.lowercased() == "bearer"
            }
        }
        if let login = sameCredential.first(where: { $0.kind == .login }) {
            let unchanged = login.secret.constantTimeEquals(password) && login.enabled && login.passwordExpiryUTC == expiry
                && EntryList.same(login.oauthRefreshToken, refreshToken) && login.authtype == authtype
            if unchanged { return false }
            try update(login.name) { e in
                if !e.secret.constantTimeEquals(password) { e.secret = password }
                e.authtype = authtype
                e.passwordExpiryUTC = expiry
                e.oauthRefreshToken = refreshToken
                e.setEnabled(true, at: now)
            }
            return true
        }
        if let other = sameCredential.first(where: { $0.secret.constantTimeEquals(password) }) {
            guard !other.enabled || other.rejectedAt != nil else { return false }
            try update(other.name) { e in e.setEnabled(true, at: now) }
            return true
        }
        var entry = Entry(name: uniqueName(for: proto, host, q.path, user ?? authtype!.lowercased()), kind: .login, host: host, username: user,
                          secret: password, created: now)
        entry.protocol = proto
        entry.authtype = authtype
        entry.path = (q.path?.isEmpty ?? true) ? nil : q.path
        entry.passwordExpiryUTC = expiry
        entry.oauthRefreshToken = refreshToken
        entry.origin = .git
        try add(entry)
        return true
    }

    /// `erase`: git reports a credential rejected. Matching entries — only those with the rejected secret when
    /// git sends it — are removed when git stored them, and otherwise disabled and marked rejected, since a
    /// 401 may be an entitlement problem the user wants to decide on. Returns false when nothing changed.
    public mutating func gitErase(_ q: CredentialQuery, now: Int64) throws(VaultError) -> Bool {
        var query = q
        query.authtypeCapable = true
        // git's helpers erase only what holds the rejected secret, of its own form: a password matches only
        // password credentials, a `credential` only those for another scheme.
        let targets = CredentialIndex(self).matches(query, now: now, includeDisabled: true).filter { e in
            let otherScheme = e.kind == .token || e.authtype != nil
            if let credential = q.credential { return otherScheme && e.secret.constantTimeEquals(credential) }
            if let password = q.password { return !otherScheme && e.secret.constantTimeEquals(password) }
            return true
        }
        var changed = false
        for e in targets {
            if e.origin == .git {
                try remove(e.name)
                changed = true
            } else if e.enabled || e.rejectedAt == nil {
                try update(e.name) { entry in
                    entry.enabled = false
                    entry.rejectedAt = now
                    entry.rejectedHost = q.host ?? entry.host
                    entry.updated = now
                }
                changed = true
            }
        }
        return changed
    }

    static func same(_ a: Secret?, _ b: Secret?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): x.constantTimeEquals(y)
        default: false
        }
    }

    /// `git:PROTOCOL/HOST[/PATH]/USER`, with characters names cannot hold replaced by `_`, made unique.
    public func uniqueName(for proto: String, _ host: String, _ path: String?, _ user: String) -> String {
        let raw = "git:\(proto)/\(host)" + ((path?.isEmpty ?? true) ? "" : "/\(path!)") + "/\(user)"
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-@+:/")
        let cleaned = String(String(raw.map { allowed.contains($0) ? $0 : "_" }).prefix(VaultFormat.maxNameBytes - 4))
        var name = cleaned
        var n = 2
        while contains(name) {
            name = "\(cleaned)-\(n)"
            n += 1
        }
        return name
    }
}
