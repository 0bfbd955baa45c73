import ArgumentParser
import CofferSystem
import CofferCore
import CofferSodium

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Test key pairs against their repository: valid, rejected (401) or forbidden (403).",
        discussion: """
        Requests REPO/packages.json with each key pair (through curl; the key goes on curl's standard input,
        never its argv). On repo.magento.com a 403 means valid keys without access: an expired entitlement or
        an unpaid invoice. Exit status 0 when every key is valid, 1 otherwise.
        """)

    @Argument(help: "Key pairs to check (default: every enabled key pair).")
    var names: [String] = []

    @Option(name: .customLong("repo-url"), help: "The repository to ask (default: https://HOST of each entry).")
    var repoURL: String?

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print a JSON array of {name, result, detail}; the exit status is the same.")
    var json = false

    struct Result: Encodable {
        let name: String
        let result: String
        let detail: String
    }

    func run() throws {
        // The named key pairs, else every enabled one; the agent sends no other secret.
        let selection = EntrySelection(names: names, kinds: [.keypair], enabledOnly: names.isEmpty)
        let entries = try VaultSession(options).export(selection)
        if entries.isEmpty {
            Console.out(json ? "[]" : "no key pairs to check")
            return
        }
        var rows = [["NAME", "RESULT", "DETAIL"]]
        var results: [Result] = []
        var allValid = true
        for e in entries {
            // curl reads text; bytes that are not UTF-8 would reach it altered. (No Coffer command stores such a
            // key; a vault from another writer may hold one.)
            guard e.secret.isUTF8 else {
                allValid = false
                rows.append([e.name, "error", "the private key is not UTF-8 text"])
                results.append(Result(name: e.name, result: "error", detail: "the private key is not UTF-8 text"))
                continue
            }
            var base = Substring(repoURL ?? "https://\(e.host)")
            while base.hasSuffix("/") { base = base.dropLast() }
            while base.hasPrefix("/") { base = base.dropFirst() }
            let (result, detail) = KeyCheck.run(url: base + "/packages.json", user: e.username ?? "", password: e.secret)
            allValid = allValid && result == "valid"
            rows.append([e.name, result, detail])
            results.append(Result(name: e.name, result: result, detail: detail))
        }
        if json {
            Console.out(try EntryView.json(results))
        } else {
            Console.table(rows).forEach(Console.out)
        }
        if !allValid { throw ExitCode(1) }
    }
}

/// One request through curl, configured on its standard input.
enum KeyCheck {
    static func run(url: String, user: String, password: Secret) -> (String, String) {
        let config = """
        url = \(CurlText.quoted(url))
        user = \(CurlText.quoted(user + ":" + password.revealed()))
        silent
        show-error
        connect-timeout = 5
        max-time = 20
        write-out = "\\n%{http_code}"

        """
        guard let result = Subprocess.run(["curl", "--config", "-"], input: Array(config.utf8)) else { return ("error", "cannot run curl") }
        let text = result.output
        let code = Int(text.split(separator: "\n").last ?? "") ?? 0
        let payload = text.split(separator: "\n").dropLast().joined(separator: "\n")
        let warning = JSONValue(parsing: payload)?.object?["warning"]?.string
        // The server's words reach a terminal: escaped, so a hostile repository cannot send escape sequences.
        let suffix = warning.map { " - server says: \(Escaping.untrusted($0))" } ?? ""
        switch code {
        case 200..<300: return ("valid", "\(code)" + suffix)
        case 401: return ("rejected", "401: wrong keys" + suffix)
        case 403: return ("forbidden", "403: valid keys without access (entitlement or unpaid invoice?)" + suffix)
        case 0:
            var why = String(decoding: result.stderr, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "no response"
            why = why.replacing("curl: ", with: "")
            // curl prefixes its exit code, "(7) failed to connect …".
            if why.hasPrefix("("), let close = why.firstIndex(of: ")") { why = why[why.index(after: close)...].trimmed }
            return ("error", why.lowercased())
        default: return ("error", "unexpected status \(code)" + suffix)
        }
    }
}
