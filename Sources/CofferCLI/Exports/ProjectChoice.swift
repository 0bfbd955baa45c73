import CofferAgentProtocol
import CofferCore
import CofferSystem
import FoundationEssentials

/// A project's choice of entries: the nearest `composer.json` upward from the working directory, its
/// `extra.coffer`, an object of host → entry name. It holds no secret, so the project can commit it.
struct ProjectFile {
    let path: String
    /// Host as written (with `:port` when not the default) → entry name.
    let choices: [String: String]

    /// The nearest composer.json, if it has `extra.coffer`; nil when there is none.
    static func nearest(from start: String? = Files.currentDirectory) throws -> ProjectFile? {
        var directory = start ?? "/"
        while true {
            let path = (directory == "/" ? "" : directory) + "/composer.json"
            if Files.exists(path) { return try read(path) }
            guard directory != "/", !directory.isEmpty else { return nil }
            directory = Files.directory(of: directory)
        }
    }

    /// `extra.coffer` of that file: nil when it has none; an error when it is there and malformed.
    static func read(_ path: String) throws -> ProjectFile? {
        // A composer.json composer cannot read either is composer's to report.
        guard let data = FileManager.default.contents(atPath: path), let root = JSONValue(parsing: Array(data))?.object,
              let coffer = root["extra"]?.object?["coffer"] else { return nil }
        guard let object = coffer.object else { throw CLIError.input("\(path): extra.coffer must be an object of host to entry name") }
        var choices: [String: String] = [:]
        for (host, value) in object {
            guard let name = value.string, Entry.isValidName(name) else {
                throw CLIError.input("\(path): extra.coffer.\(host) must be an entry name", hint: "names are 1 to 128 characters of letters, digits and . _ - @ + : /")
            }
            choices[host.lowercased()] = name
        }
        return ProjectFile(path: path, choices: choices)
    }
}

/// Which entry answers composer for each host, and why: what `exec`, `export composer`, the plugin and
/// `which` share. A host the project names gets that entry, which must exist, be enabled, be for that host
/// and be something composer can use; any other host gets its only enabled entry; two or more is a choice
/// only a person may leave to Coffer (at a terminal, the most recently updated, said so).
enum ProjectChoice {
    struct Choice {
        let section: String
        let host: String
        let entry: Entry
        /// Other enabled entries for the same host and section, when the project names none.
        let others: [Entry]
        let named: Bool
    }

    /// Checks the entries `project` names (from `lookup`, which lists them without secrets) for the hosts in
    /// `hosts` (nil: every host it names).
    static func check(_ project: ProjectFile?, hosts: Set<String>?, lookup: ([String]) throws -> [Entry]) throws {
        guard let project else { return }
        let relevant = project.choices.filter { hosts?.contains($0.key) ?? true }
        guard !relevant.isEmpty else { return }
        for (host, name) in relevant.sorted(by: { $0.key < $1.key }) {
            // One name a request: the agent's "no such entry" does not say which of several it was.
            let e: Entry
            do {
                guard let one = try lookup([name]).first else { throw VaultError.entryNotFound(name) }
                e = one
            } catch let error where ProjectChoice.isNotFound(error) {
                throw CLIError.notFound("\(project.path) names '\(name)' for \(host); the vault has no such entry",
                                        hint: "'coffer list' shows the names; another key is never used in its place")
            }
            guard e.enabled else {
                throw CLIError.failure("'\(name)', which \(project.path) names for \(host), is \(EntryView.state(e))",
                                       hint: "enable it with 'coffer enable \(name)', or name another entry")
            }
            guard e.host.lowercased() == host else {
                throw CLIError.usage("'\(name)', which \(project.path) names for \(host), is for \(e.host)")
            }
            guard ComposerAuth.item(e) != nil else {
                throw CLIError.usage("'\(name)', which \(project.path) names for \(host), is a \(e.kind.word) composer cannot use")
            }
        }
    }

    static func isNotFound(_ error: Error) -> Bool {
        if case VaultError.entryNotFound = error { return true }
        if case AgentError.remote(_, .notFound) = error { return true }
        return false
    }

    /// For a command with `session` and its `--name`/`--host` options: the document for composer from the
    /// `entries` it exported, the project's choice applied (unless `--name` chose), and what to tell.
    static func composerDocument(_ entries: [Entry], names: [String], hosts: [String], lookup: ([String]) throws -> [Entry]) throws
        -> (document: [String: [String: JSONValue]], notes: [String]) {
        let explicit = !names.isEmpty
        let project = explicit ? nil : try ProjectFile.nearest()
        try check(project, hosts: hosts.isEmpty ? nil : Set(hosts.map { $0.lowercased() }), lookup: lookup)
        return try document(choose(entries, project: project), project: project, interactive: Terminal.isAvailable, explicit: explicit)
    }

    /// One choice per section and host among `entries` (enabled ones are used; `check` ran first).
    static func choose(_ entries: [Entry], project: ProjectFile?) -> [Choice] {
        var byKey: [String: (section: String, host: String, entries: [Entry])] = [:]
        for e in ComposerAuth.enabledNewestFirst(entries) {
            guard let (section, _) = ComposerAuth.item(e) else { continue }
            let key = section + " " + e.host
            byKey[key, default: (section, e.host, [])].entries.append(e)
        }
        return byKey.keys.sorted().compactMap { key in
            let (section, host, candidates) = byKey[key]!
            if let name = project?.choices[host.lowercased()] {
                guard let e = candidates.first(where: { $0.name == name }) else { return nil }
                return Choice(section: section, host: host, entry: e, others: [], named: true)
            }
            return Choice(section: section, host: host, entry: candidates[0], others: Array(candidates.dropFirst()), named: false)
        }
    }

    /// The choices as composer's document, with what to tell: at a terminal (`interactive`) which entry was
    /// picked among several; unattended, several is an error naming them and the way to choose.
    static func document(_ choices: [Choice], project: ProjectFile?, interactive: Bool, explicit: Bool) throws
        -> (document: [String: [String: JSONValue]], notes: [String]) {
        var document: [String: [String: JSONValue]] = [:]
        var notes: [String] = []
        for c in choices {
            if !c.others.isEmpty && !explicit {
                let all = ([c.entry] + c.others).map { "'\($0.name)'" }.joined(separator: ", ")
                let file = project?.path ?? "composer.json"
                guard interactive else {
                    throw CLIError.failure("\(c.others.count + 1) enabled entries for \(c.host) in \(c.section): \(all)",
                                           hint: "name the one to use in \(file): \"extra\": {\"coffer\": {\"\(c.host)\": \"NAME\"}}, or pass --name")
                }
                notes.append("using '\(c.entry.name)' for \(c.host), the most recently updated of \(all); name one in \(file) extra.coffer")
            }
            guard c.entry.secret.isUTF8 else {
                notes.append(ComposerAuth.notText(c.entry, in: "auth.json"))
                continue
            }
            if let (section, value) = ComposerAuth.item(c.entry) { document[section, default: [:]][c.host] = value }
        }
        return (document, notes)
    }
}
