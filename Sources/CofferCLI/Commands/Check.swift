import ArgumentParser
import CofferCore
import CofferSodium
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test key pairs against their repository: valid, rejected (401) or forbidden (403).",
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

    func run() throws {
        // The named key pairs, else every enabled one; the agent sends no other secret.
        let selection = EntrySelection(names: names, kinds: [.keypair], enabledOnly: names.isEmpty)
        let entries = try VaultSession(options).export(selection)
        if entries.isEmpty {
            Console.out("no key pairs to check")
            return
        }
        var rows = [["NAME", "RESULT", "DETAIL"]]
        var allValid = true
        for e in entries {
            // curl reads text; bytes that are not UTF-8 would reach it altered. (No Coffer command stores such a
            // key; a vault from another writer may hold one.)
            guard e.secret.isUTF8 else {
                allValid = false
                rows.append([e.name, "error", "the private key is not UTF-8 text"])
                continue
            }
            let base = (repoURL ?? "https://\(e.host)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let (result, detail) = KeyCheck.run(url: base + "/packages.json", user: e.username ?? "", password: e.secret)
            allValid = allValid && result == "valid"
            rows.append([e.name, result, detail])
        }
        Console.table(rows).forEach(Console.out)
        if !allValid { throw ExitCode(1) }
    }
}

/// One request through curl, configured on its standard input.
enum KeyCheck {
    static func run(url: String, user: String, password: Secret) -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--config", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return ("error", "cannot run curl") }
        let config = """
        url = \(CurlText.quoted(url))
        user = \(CurlText.quoted(user + ":" + password.revealed()))
        silent
        show-error
        connect-timeout = 5
        max-time = 20
        write-out = "\\n%{http_code}"

        """
        input.fileHandleForWriting.write(Data(config.utf8))
        try? input.fileHandleForWriting.close()
        let body = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: body, as: UTF8.self)
        let code = Int(text.split(separator: "\n").last ?? "") ?? 0
        let payload = text.split(separator: "\n").dropLast().joined(separator: "\n")
        let warning = (try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])?["warning"] as? String
        let suffix = warning.map { " - server says: \($0)" } ?? ""
        switch code {
        case 200..<300: return ("valid", "\(code)" + suffix)
        case 401: return ("rejected", "401: wrong keys" + suffix)
        case 403: return ("forbidden", "403: valid keys without access (entitlement or unpaid invoice?)" + suffix)
        case 0:
            var why = String(decoding: stderr, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "no response"
            why = why.replacingOccurrences(of: "curl: ", with: "")
            // curl prefixes its exit code, "(7) failed to connect …".
            if why.hasPrefix("("), let close = why.firstIndex(of: ")") { why = String(why[why.index(after: close)...]).trimmingCharacters(in: .whitespaces) }
            return ("error", why.lowercased())
        default: return ("error", "unexpected status \(code)" + suffix)
        }
    }
}
