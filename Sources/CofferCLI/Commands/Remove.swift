import ArgumentParser
import CofferCore

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete an entry and its history.")

    @Argument(help: "The entry's name.")
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        _ = try VaultSession(options).change(.remove(name))
        Console.out("removed '\(name)'")
    }
}
