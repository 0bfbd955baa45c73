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
        for e in added { Console.out("imported \(e.kind == .token ? e.tokenType!.rawValue : e.kind.word) '\(e.name)' for \(e.host)") }
        for why in skipped { Console.out("skipped \(why)") }
        Console.out("\(added.count) imported, \(skipped.count) skipped")
        if source.removeSource {
            try PrivateFile.shred(source.path)
            Console.out("removed \(source.path)")
        }
    }
}
