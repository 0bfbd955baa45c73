import ArgumentParser
import CofferCore

struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Give an entry a new name; its secret and history stay.")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @Argument(help: ArgumentHelp("The new name (the same rules).", valueName: "new-name"))
    var newName: String

    @OptionGroup var options: VaultOptions

    func validate() throws {
        if !Entry.isValidName(newName) { throw VaultError.invalidName(newName) }
    }

    func run() throws {
        let result = try VaultSession(options).change(.rename(name, to: newName))
        Console.out(result.changed ? "renamed '\(name)' to '\(newName)'" : "'\(name)' already has that name")
    }
}
