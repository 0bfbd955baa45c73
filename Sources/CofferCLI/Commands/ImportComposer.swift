import ArgumentParser
import CofferCore
import CofferSodium

struct ImportComposer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "composer",
        abstract: "Import an auth.json: http-basic for repo.magento.com as key pairs, other hosts as logins, token sections as tokens.")

    @OptionGroup var source: ImportOptions

    var path: String { source.path }

    func run() throws {
        guard let root = JSONValue(parsing: try source.contents())?.object else {
            throw CLIError.input("\(path) is not a JSON object")
        }
        try plan(root).commit(source)
    }

    func plan(_ root: [String: JSONValue]) throws -> ImportPlan {
        var plan = ImportPlan()
        let now = Clock.now()
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
}
