import CofferCore
import CofferSodium
import FoundationEssentials

/// What `import` found: entries to add and what it skipped, with why.
public struct ImportPlan {
    public var entries: [Entry] = []
    public var skipped: [String] = []
}

/// The two importers' parsers, apart from their commands so they can be fuzzed: plaintext bytes in, a plan
/// of checked entries out, or `CLIError.input` naming the file and the place. Nothing is written here.
public enum Importer {
    /// composer's `auth.json`: http-basic for repo.magento.com as key pairs, other hosts as logins, the
    /// token sections as tokens; other sections are skipped, with why.
    public static func composer(_ contents: [UInt8], path: String, now: Int64) throws -> ImportPlan {
        guard let root = JSONValue(parsing: contents)?.object else { throw CLIError.input("\(path) is not a JSON object") }
        var plan = ImportPlan()
        func bad(_ key: String, _ why: String) -> CLIError { .input("\(path): \(key): \(why)") }
        func string(_ value: JSONValue?, _ key: String) throws -> String {
            guard let text = value?.string, !text.isEmpty else { throw bad(key, "must be a non-empty string") }
            return text
        }
        // A secret's text per entry, in order; each entry holds a one-byte placeholder until they are packed.
        var texts: [String] = []
        let placeholder = try Secret(copying: "-")
        for section in root.keys.sorted() {
            guard ComposerAuth.sections.contains(section) else {
                plan.skipped.append("section '\(section)': not a credential section coffer keeps")
                continue
            }
            guard let hosts = root[section]?.object else { throw bad(section, "must be an object of hosts") }
            for host in hosts.keys.sorted() {
                let key = "\(section).\(host)"
                var entry: Entry
                switch section {
                case "http-basic":
                    guard let pair = hosts[host]?.object else { throw bad(key, "must be an object with username and password") }
                    let user = try string(pair["username"], key + ".username")
                    texts.append(try string(pair["password"], key + ".password"))
                    let kind: EntryKind = host == EntryKind.keypair.defaultHost ? .keypair : .login
                    entry = Entry(name: "\(section):\(host)", kind: kind, host: host, username: user, secret: placeholder, created: now)
                    if kind == .login { entry.protocol = "https" }
                case "bitbucket-oauth":
                    guard let pair = hosts[host]?.object else { throw bad(key, "must be an object with consumer-key and consumer-secret") }
                    texts.append(try string(pair["consumer-secret"], key + ".consumer-secret"))
                    entry = Entry(name: "\(section):\(host)", kind: .token, host: host, username: try string(pair["consumer-key"], key + ".consumer-key"),
                                  secret: placeholder, created: now)
                    entry.tokenType = .bitbucketOAuth
                default:
                    texts.append(try string(hosts[host], key))
                    entry = Entry(name: "\(section):\(host)", kind: .token, host: host, username: nil, secret: placeholder, created: now)
                    entry.tokenType = TokenType(rawValue: section)
                }
                entry.origin = .imported
                do { try entry.validate() } catch { throw bad(key, "\(error)") }
                plan.entries.append(entry)
            }
        }
        // The secrets in one locked buffer, put in once every entry checked out.
        for (i, secret) in try Secret.packing(texts).enumerated() { plan.entries[i].secret = secret }
        return plan
    }

    /// git-credential-store's file: one `https://user:password@host/path` URL per line.
    public static func gitCredentials(_ contents: [UInt8], path: String, now: Int64) throws -> ImportPlan {
        guard let text = String(validating: contents, as: UTF8.self) else { throw CLIError.input("\(path) is not UTF-8 text") }
        var plan = ImportPlan()
        var names = EntryList()
        var texts: [String] = []
        let placeholder = try Secret(copying: "-")
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmed
            if trimmed.isEmpty { continue }
            let at = "\(path):\(index + 1)"
            guard let url = URLComponents(string: trimmed), let proto = url.scheme, let host = url.host, !host.isEmpty else {
                throw CLIError.input("\(at): not a URL")
            }
            guard let user = url.user, !user.isEmpty else { throw CLIError.input("\(at): no username") }
            guard let password = url.password, !password.isEmpty else { throw CLIError.input("\(at): no password") }
            let hostPort = host + (url.port.map { ":\($0)" } ?? "")
            let pathPart = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
            var entry = Entry(name: names.uniqueName(for: proto, hostPort, pathPart, user), kind: .login, host: hostPort,
                              username: user, secret: placeholder, created: now)
            entry.protocol = proto
            entry.path = pathPart.isEmpty ? nil : pathPart
            entry.origin = EntryOrigin.imported
            do { try entry.validate() } catch { throw CLIError.input("\(at): \(error)") }
            try names.add(entry)
            plan.entries.append(entry)
            texts.append(password)
        }
        // One locked buffer for every password, not one each (vm.max_map_count).
        for (i, secret) in try Secret.packing(texts).enumerated() { plan.entries[i].secret = secret }
        return plan
    }
}
