import ArgumentParser
import CofferCore
import CofferSodium
import FoundationEssentials

struct ImportGitCredentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-credentials",
        abstract: "Import git-credential-store's file: one https://user:password@host/path URL per line.")

    @OptionGroup var source: ImportOptions

    var path: String { source.path }

    func run() throws {
        guard let text = String(validating: try source.contents(), as: UTF8.self) else { throw CLIError.input("\(path) is not UTF-8 text") }
        var plan = ImportPlan()
        var names = EntryList()
        let now = Clock.now()
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
        try plan.commit(source)
    }
}
