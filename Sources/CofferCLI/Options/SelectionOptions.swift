import ArgumentParser
import CofferCore

/// `--name` and `--host` filters of the exporters.
struct SelectionOptions: ParsableArguments {
    @Option(help: "Only this entry (repeatable).")
    var name: [String] = []

    @Option(help: "Only entries for this host (repeatable).")
    var host: [String] = []

    /// Exports use enabled entries only: the agent sends no other secret.
    var selection: EntrySelection { EntrySelection(names: name, hosts: host, enabledOnly: true) }
}
