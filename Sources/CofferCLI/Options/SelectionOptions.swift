import ArgumentParser
import CofferCore

/// `--name` and `--host` filters of the exporters.
struct SelectionOptions: ParsableArguments {
    @Option(help: "Only this entry (repeatable).")
    var name: [String] = []

    @Option(help: "Only entries for this host (repeatable).")
    var host: [String] = []

    func select(_ list: EntryList) throws -> [Entry] {
        for n in name where !list.contains(n) { throw VaultError.entryNotFound(n) }
        return list.entries.filter { e in
            (name.isEmpty || name.contains(e.name)) && (host.isEmpty || host.contains { $0.lowercased() == e.host.lowercased() })
        }
    }
}
