import ArgumentParser
import CofferCore
import CofferSodium
import CofferAgentProtocol

/// The `coffer` command: only lists its subcommands.
public struct CofferCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "coffer",
        abstract: "An encrypted vault for repository credentials: Magento key pairs, download tokens, git logins.",
        version: "0.1.0",
        subcommands: [
            Init.self, Add.self, List.self, Show.self, Enable.self, Disable.self, Remove.self, Rotate.self, Passwd.self,
            UnlockCommand.self, Lock.self, Status.self, SlotCommand.self, GitCommand.self,
            Export.self, Exec.self, Import.self, Check.self, AgentCommand.self,
        ]
    )

    public init() {}
}

/// The entry point of the `coffer` executable: runs a command and turns every error into the documented
/// `coffer: error: …` line, optional hint, and exit code.
public enum CofferMain {
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        do {
            var command = try CofferCommand.parseAsRoot(arguments)
            try command.run()
            return ExitStatus.success.rawValue
        } catch {
            return report(error, arguments: arguments)
        }
    }

    static func report(_ error: Error, arguments: [String]) -> Int32 {
        let status: ExitStatus
        switch error {
        case let e as ExitCode:
            // A command that has already said what it had to, and only sets the status (check).
            return e.rawValue
        case let e as VaultError:
            Console.error(e.description)
            if let hint = e.hint { Console.hint(hint) }
            status = e.exitStatus
        case let e as CLIError:
            Console.error(e.description)
            if let hint = e.hint { Console.hint(hint) }
            switch e {
            case .usage: status = .usage
            case .interrupted: status = .interrupted
            case .locked: status = .locked
            default: status = .failure
            }
        case let e as AgentError:
            Console.error(e.description)
            switch e {
            case .notRunning:
                Console.hint(CLIError.locked.hint!)
                status = .locked
            case .remote(_, _, let kind):
                if kind == "not-found" { Console.hint("'coffer list' shows the names") }
                status = ExitStatus(kind: kind)
            default: status = .failure
            }
        case let e as SodiumError:
            Console.error(e.description)
            status = .failure
        default:
            // ArgumentParser: help and version are clean exits on stdout; the rest are usage errors.
            let code = CofferCommand.exitCode(for: error)
            let message = CofferCommand.message(for: error)
            if code == .success {
                Console.out(message)
                return 0
            }
            // "First sentence. Second sentence." becomes the error and a hint.
            let sentences = (message.split(separator: "\n").first.map(String.init) ?? "invalid usage").components(separatedBy: ". ")
            Console.error(lowercasedFirst(sentences[0]))
            if sentences.count > 1 {
                Console.hint(lowercasedFirst(sentences.dropFirst().joined(separator: ". ")))
            } else {
                Console.hint("see '\(commandPath(arguments).joined(separator: " ")) --help'")
            }
            status = .usage
        }
        return status.rawValue
    }

    /// The words of `arguments` that name subcommands: `coffer add token` for `add token NAME --type x`.
    static func commandPath(_ arguments: [String]) -> [String] {
        var path = ["coffer"]
        var command: ParsableCommand.Type = CofferCommand.self
        for word in arguments {
            guard let sub = command.configuration.subcommands.first(where: { ($0.configuration.commandName ?? String(describing: $0).lowercased()) == word }) else { break }
            path.append(word)
            command = sub
        }
        return path
    }

    private static func lowercasedFirst(_ text: String) -> String {
        var text = text
        if text.hasPrefix("Error: ") { text.removeFirst(7) }
        while text.hasSuffix(".") { text.removeLast() }
        guard let first = text.first else { return text }
        // Keep acronyms and option names as they are; lower-case a capitalised first word only.
        let second = text.dropFirst().first
        if first.isUppercase && !(second?.isUppercase ?? false) { return first.lowercased() + text.dropFirst() }
        return text
    }
}
