import CofferCore

/// `machine HOST login USER password SECRET` lines for curl's `--netrc-file`.
enum Netrc {
    /// One machine of the file, as `export netrc --json` prints it too.
    struct Machine: Encodable {
        let machine: String
        let login: String
        let password: String
        /// The entry it came from.
        let name: String

        var line: String { "machine \(Netrc.quote(machine)) login \(Netrc.quote(login)) password \(Netrc.quote(password))" }
    }

    /// Download tokens and http(s)/ftp logins; the port is dropped, since netrc names machines only. Entries
    /// whose secret is not UTF-8 are left out and reported in `warnings`, as for auth.json.
    static func machines(from entries: [Entry]) -> (machines: [Machine], warnings: [String]) {
        var seen = Set<String>()
        var machines: [Machine] = []
        var warnings: [String] = []
        for e in ComposerAuth.enabledNewestFirst(entries) {
            // netrc holds a login and a password: not a credential for another scheme (`authtype`).
            guard e.kind == .downloadToken || e.kind == .login, e.authtype == nil, let user = e.username else { continue }
            guard e.secret.isUTF8 else {
                warnings.append(ComposerAuth.notText(e, in: "the netrc file"))
                continue
            }
            let machine = String(e.host.split(separator: ":").first ?? Substring(e.host))
            guard seen.insert(machine + " " + user).inserted else { continue }
            machines.append(Machine(machine: machine, login: user, password: e.secret.revealed(), name: e.name))
        }
        return (machines, warnings)
    }

    static func lines(from entries: [Entry]) -> (lines: [String], warnings: [String]) {
        let (machines, warnings) = machines(from: entries)
        return (machines.map(\.line), warnings)
    }

    /// A token as it is when curl can read it so, else double-quoted (see `CurlText`).
    static func quote(_ token: String) -> String {
        // An empty value (git's `username=`) as `""`, or curl would read the next keyword in its place.
        if token.isEmpty { return "\"\"" }
        return token.unicodeScalars.contains(where: CurlText.needsQuotes.contains) ? CurlText.quoted(token) : token
    }
}
