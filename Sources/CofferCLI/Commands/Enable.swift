import ArgumentParser
import CofferCore

struct Enable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable an entry again (also clears a rejection by git).")

    @Argument(help: "The entry's name.")
    var name: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession.setEnabled(true, name: name, options: options)
    }
}

extension VaultSession {
    /// The shared body of `enable` and `disable`: no write when the entry is already in that state.
    static func setEnabled(_ enabled: Bool, name: String, options: VaultOptions) throws {
        let word = enabled ? "enabled" : "disabled"
        let result = try VaultSession(options).change(.setEnabled(name, enabled))
        Console.out(result.changed ? "\(word) '\(name)'" : "'\(name)' is already \(word)")
    }
}
