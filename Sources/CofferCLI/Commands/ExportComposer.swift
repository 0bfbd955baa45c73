import ArgumentParser
import CofferCore
import FoundationEssentials

struct ExportComposer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "composer",
        abstract: "Print an auth.json document of the enabled entries, or merge it into an auth.json file.",
        discussion: #"""
        --format env prints COMPOSER_AUTH='<json>' for .env files, one line that docker compose, python-dotenv,
        Node's dotenv and POSIX sh (set -a; . ./.env) all read back as the same document: the JSON is ASCII and
        holds no ', \ or $ of its own (they are written \u0027, \u005c and \u0024). --format shell prints a line for
        eval "$(coffer export composer --format shell)". --write merges into PATH (other hosts and sections kept),
        atomically, mode 0600.
        """#)

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, env, shell }

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var options: VaultOptions

    @Option(help: "json, env or shell.")
    var format: Format = .json

    @Option(help: ArgumentHelp("Merge into this auth.json instead of printing.", valueName: "path"))
    var write: String?

    func run() throws {
        if let write { try PrivateFile.checkNotExposed(write) }
        let session = VaultSession(options)
        let entries = try session.export(selection.selection)
        let (document, warnings) = try ProjectChoice.composerDocument(entries, names: selection.name, hosts: selection.host) { try session.list(EntrySelection(names: $0)) }
        warnings.forEach { Console.warning($0) }
        if let write {
            var existing: [String: JSONValue] = [:]
            if FileManager.default.fileExists(atPath: write) {
                guard let data = FileManager.default.contents(atPath: write), let object = JSONValue(parsing: Array(data))?.object else {
                    throw CLIError.input("\(write) is not a JSON object", hint: "fix or move it; coffer merges only into valid auth.json files")
                }
                existing = object
            }
            try PrivateFile.write(JSONText.encode(ComposerAuth.merge(document, into: existing), pretty: true) + "\n", to: write)
            let count = document.values.reduce(0) { $0 + $1.count }
            Console.out("wrote \(count) \(count == 1 ? "host" : "hosts") to \(write)")
            return
        }
        switch format {
        case .json: Console.out(JSONText.encode(ComposerAuth.json(document), pretty: true))
        case .env: Console.out("COMPOSER_AUTH='" + JSONText.encode(ComposerAuth.json(document), pretty: false, quotable: true) + "'")
        case .shell: Console.out("export COMPOSER_AUTH=" + ComposerAuth.shellQuoted(JSONText.encode(ComposerAuth.json(document), pretty: false)))
        }
    }
}
