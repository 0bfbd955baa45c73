import ArgumentParser
import CofferCore
import CofferSystem

/// `coffer which`: which entry composer gets for each host here (exec, export composer, the plugin), and why.
struct Which: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "which",
        abstract: "Show which entry composer would get for each host from here, and why (never a secret).",
        discussion: "A host named in the nearest composer.json's extra.coffer gets that entry; another host its only enabled entry. Several enabled entries for one host are an error when no terminal is attached, and at a terminal the most recently updated is used.")

    @Option(help: "Only this host (repeatable).")
    var host: [String] = []

    @Flag(help: "Print a JSON array of {host, section, entry, why, others}.")
    var json = false

    @OptionGroup var options: VaultOptions

    struct Row: Encodable {
        let host: String
        let section: String
        let entry: String?
        let why: String
        let others: [String]
    }

    func run() throws {
        let session = VaultSession(options)
        // Without secrets: the agent sends none for a list.
        let entries = try session.list(EntrySelection(hosts: host, enabledOnly: true))
        let project = try ProjectFile.nearest()
        try ProjectChoice.check(project, hosts: host.isEmpty ? nil : Set(host.map { $0.lowercased() })) { try session.list(EntrySelection(names: $0)) }
        let interactive = Terminal.isAvailable
        let rows = ProjectChoice.choose(entries, project: project).map { c -> Row in
            let others = c.others.map(\.name)
            if c.named { return Row(host: c.host, section: c.section, entry: c.entry.name, why: "named in \(project!.path)", others: []) }
            if others.isEmpty { return Row(host: c.host, section: c.section, entry: c.entry.name, why: "the only enabled entry for this host", others: []) }
            if interactive {
                return Row(host: c.host, section: c.section, entry: c.entry.name, why: "the most recently updated of \(others.count + 1); name one in composer.json extra.coffer", others: others)
            }
            return Row(host: c.host, section: c.section, entry: nil, why: "none: \(others.count + 1) enabled entries and no terminal; name one in composer.json extra.coffer", others: [c.entry.name] + others)
        }
        if json { return Console.out(try EntryView.json(rows)) }
        if rows.isEmpty { return Console.out("no entry composer can use" + (host.isEmpty ? "" : " for \(host.joined(separator: ", "))")) }
        Console.table([["HOST", "SECTION", "ENTRY", "WHY"]] + rows.map { r in
            [r.host, r.section, r.entry ?? "-", r.why + (r.others.isEmpty ? "" : " (" + r.others.map { "'\($0)'" }.joined(separator: ", ") + ")")]
        }).forEach(Console.out)
    }
}
