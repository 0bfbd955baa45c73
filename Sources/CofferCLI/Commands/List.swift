import ArgumentParser
import CofferCore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the entries, without secrets.")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print a JSON array (fields documented in the README).")
    var json = false

    func run() throws {
        let entries = try VaultSession(options).list().sorted { $0.name < $1.name }
        if json {
            Console.out(try EntryView.json(entries.map { EntryView($0) }))
            return
        }
        if entries.isEmpty {
            Console.out("no entries")
            return
        }
        var rows = [["NAME", "KIND", "HOST", "USERNAME", "STATE", "UPDATED"]]
        for e in entries {
            var state = EntryView.state(e)
            if let host = e.rejectedHost, let at = e.rejectedAt { state += " by \(host) at \(Clock.format(at))" }
            state += EntryView.exposureText(e)
            rows.append([e.name, e.kind == .token ? e.tokenType!.rawValue : e.kind.word, e.host + (e.path.map { "/" + $0 } ?? ""),
                         e.username ?? "-", state, Clock.format(e.updated)])
        }
        Console.table(rows).forEach(Console.out)
    }
}
