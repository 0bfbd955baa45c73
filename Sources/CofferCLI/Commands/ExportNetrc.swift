import ArgumentParser
import CofferCore

struct ExportNetrc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netrc",
        abstract: "Print netrc lines (machine, login, password) for download tokens and logins, for curl --netrc-file.")

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("Write to this file (mode 0600) instead of printing.", valueName: "path"))
    var write: String?

    @Flag(help: "Print the machines as a JSON array of {machine, login, password, name}; with --write, {path, machines}.")
    var json = false

    struct Written: Encodable {
        let path: String
        let machines: Int
    }

    func run() throws {
        if let write { try PrivateFile.checkNotExposed(write) }
        let (machines, warnings) = Netrc.machines(from: try VaultSession(options).export(selection.selection))
        warnings.forEach { Console.warning($0) }
        if let write {
            try PrivateFile.write(machines.map { $0.line + "\n" }.joined(), to: write)
            Console.out(json ? try EntryView.json(Written(path: write, machines: machines.count))
                             : "wrote \(Text.count(machines.count, "machine", "machines")) to \(write)")
        } else if json {
            Console.out(try EntryView.json(machines))
        } else {
            machines.map(\.line).forEach(Console.out)
        }
    }
}
