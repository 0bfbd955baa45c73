import CofferCore

/// composer's auth.json document (https://getcomposer.org/doc/articles/authentication-for-private-packages.md)
/// built from enabled entries, and merged into an existing one.
enum ComposerAuth {
    /// The sections Coffer writes, in composer's names.
    static let sections = ["bearer", "bitbucket-oauth", "github-oauth", "gitlab-oauth", "gitlab-token", "http-basic"]

    /// Enabled entries, the most recently updated first (then by name): the order in which an export's
    /// entries claim their hosts.
    static func enabledNewestFirst(_ entries: [Entry]) -> [Entry] {
        entries.filter(\.enabled).sorted { $0.updated != $1.updated ? $0.updated > $1.updated : $0.name < $1.name }
    }

    static func notText(_ e: Entry, in what: String) -> String {
        "'\(e.name)' is left out of \(what): its secret is not UTF-8 text"
    }

    /// An entry's section and value in composer's document (`ProjectChoice` decides which entry answers each
    /// host): key pairs, download tokens and http(s) logins under `http-basic`, tokens under their type; nil
    /// for what composer cannot use. The host key is the entry's host, with `:port` only for a non-default
    /// port, as composer's own origin has it.
    static func item(_ e: Entry) -> (String, JSONValue)? {
        let basic = JSONValue.object(["username": .string(e.username ?? ""), "password": .string(e.secret.revealed())])
        switch e.kind {
        case .keypair, .downloadToken:
            return ("http-basic", basic)
        case .login:
            guard let proto = e.protocol?.lowercased(), proto == "https" || proto == "http" else { return nil }
            // A credential git stored for another scheme: a Bearer one is composer's `bearer`; others have no
            // place in auth.json.
            if let authtype = e.authtype { return authtype.lowercased() == "bearer" ? ("bearer", .string(e.secret.revealed())) : nil }
            return ("http-basic", basic)
        case .token:
            switch e.tokenType {
            case .bitbucketOAuth:
                return ("bitbucket-oauth", .object(["consumer-key": .string(e.username ?? ""), "consumer-secret": .string(e.secret.revealed())]))
            case let type?: return (type.rawValue, .string(e.secret.revealed()))
            case nil: return nil
            }
        }
    }

    /// The document as a JSON object.
    static func json(_ document: [String: [String: JSONValue]]) -> JSONValue {
        .object(document.mapValues { JSONValue.object($0) })
    }

    /// `existing` with Coffer's hosts put in: other sections and hosts are kept, the same host is replaced.
    static func merge(_ ours: [String: [String: JSONValue]], into existing: [String: JSONValue]) -> JSONValue {
        var merged = existing
        for (section, hosts) in ours {
            var target = merged[section]?.object ?? [:]
            for (host, value) in hosts { target[host] = value }
            merged[section] = .object(target)
        }
        return .object(merged)
    }

    /// `export COMPOSER_AUTH='…'`: single quotes, each `'` written as `'\''`, so `eval` is safe whatever a
    /// secret contains.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// The hosts an auth.json names, in any section (for the warning about a project auth.json).
    static func hosts(in object: [String: JSONValue]) -> Set<String> {
        var hosts = Set<String>()
        for section in sections { object[section]?.object?.keys.forEach { hosts.insert($0) } }
        return hosts
    }
}
