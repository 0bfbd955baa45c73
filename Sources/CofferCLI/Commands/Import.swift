import ArgumentParser
import CofferCore
import FoundationEssentials

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Move plaintext credentials into the vault: composer's auth.json, git's .git-credentials.",
        subcommands: [ImportComposer.self, ImportGitCredentials.self])
}

/// The source file and what to do with it, shared by the import subcommands.
struct ImportOptions: ParsableArguments {
    @Argument(help: "The plaintext file to import.")
    var path: String

    @Flag(name: .customLong("remove-source"), help: "Overwrite and delete the file once the vault write succeeded.")
    var removeSource = false

    @OptionGroup var vault: VaultOptions

    @Flag(help: "Print the report as a JSON object {imported: [{name, kind, host}], skipped: [why], removed: path?}.")
    var json = false

    /// The source file's bytes.
    func contents() throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.input("cannot read \(path)") }
        return Array(data)
    }
}

extension ImportPlan {
    /// Adds the new entries in one write, reports them without secrets, and with `removeSource` deletes the
    /// plaintext file only once the vault write succeeded.
    func commit(_ source: ImportOptions) throws {
        let result = try VaultSession(source.vault).change(.add(entries, skipExisting: true))
        // A set: looking each name up in the array of added names was quadratic in the import's size.
        let addedNames = Set(result.added)
        let added = entries.filter { addedNames.contains($0.name) }
        let skipped = self.skipped + result.skipped.map { "'\($0)': an entry of that name exists" }
        if source.json {
            if source.removeSource { try PrivateFile.shred(source.path) }
            let report = ImportReport(imported: added.map { .init(name: $0.name, kind: ImportPlan.word($0), host: $0.host) }, skipped: skipped,
                                      removed: source.removeSource ? source.path : nil)
            return Console.out(try EntryView.json(report))
        }
        for e in added { Console.out("imported \(ImportPlan.word(e)) '\(e.name)' for \(e.host)") }
        for why in skipped { Console.out("skipped \(why)") }
        Console.out("\(added.count) imported, \(skipped.count) skipped")
        if source.removeSource {
            try PrivateFile.shred(source.path)
            Console.out("removed \(source.path)")
        }
    }

    /// A kind as the report names it: a token by its type.
    static func word(_ e: Entry) -> String { e.kind == .token ? e.tokenType?.rawValue ?? e.kind.word : e.kind.word }

    struct ImportReport: Encodable {
        struct Item: Encodable {
            let name: String
            let kind: String
            let host: String
        }
        let imported: [Item]
        let skipped: [String]
        let removed: String?
    }
}
