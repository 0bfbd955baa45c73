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

    func run() throws {
        if let write { try PrivateFile.checkNotExposed(write) }
        let (lines, warnings) = Netrc.lines(from: try VaultSession(options).export(selection.selection))
        warnings.forEach { Console.warning($0) }
        if let write {
            try PrivateFile.write(lines.map { $0 + "\n" }.joined(), to: write)
            Console.out("wrote \(lines.count) \(lines.count == 1 ? "machine" : "machines") to \(write)")
        } else {
            lines.forEach(Console.out)
        }
    }
}
