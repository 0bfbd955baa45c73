import ArgumentParser
import CofferCore

struct SlotList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the slots: id, type, label and creation time.")

    @Option(help: ArgumentHelp("A team vault's slots (through the agent).", valueName: "team"))
    var team: String?

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print a JSON array (fields documented in the README).")
    var json = false

    struct View: Encodable {
        let id: UInt32
        let type: String
        let label: String
        /// RFC 3339, or null when unknown (a slot from a version-1 file).
        let created: String?
        /// 1 for a slot still in format 1 (`coffer upgrade` converts it), else 2.
        let format: Int
        /// This session (or the agent) was unlocked through it.
        let unlocked: Bool
    }

    func run() throws {
        let (slots, unlocked) = try VaultSession(options, team: team).slots()
        if json {
            Console.out(try EntryView.json(slots.map {
                View(id: $0.id, type: $0.type, label: $0.label, created: $0.created.map(Clock.format), format: $0.legacy ? 1 : 2, unlocked: $0.id == unlocked)
            }))
            return
        }
        var rows = [["ID", "TYPE", "LABEL", "CREATED"]]
        for s in slots {
            let type = s.type + (s.legacy ? " (format 1)" : "") + (s.id == unlocked ? " *" : "")
            rows.append([String(s.id), type, s.label.isEmpty ? "-" : s.label, s.created.map(Clock.format) ?? "-"])
        }
        Console.table(rows).forEach(Console.out)
        if unlocked != nil { Console.out("* unlocked with this slot") }
    }
}
