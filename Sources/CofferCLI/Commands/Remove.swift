import ArgumentParser
import CofferCore

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete an entry and its history.")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        _ = try VaultSession(options).change(.remove(name))
        Console.out("removed '\(name)'")
    }
}
