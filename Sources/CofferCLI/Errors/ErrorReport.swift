import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// Every error that reaches the top of a command, as the one `coffer: error: …` line (and hint) the README
/// documents, and its exit status.
enum ErrorReport {
    static func report(_ error: Error, arguments: [String]) -> Int32 { status(error, arguments: arguments).rawValue }

    private static func status(_ error: Error, arguments: [String]) -> ExitStatus {
        switch error {
        case let e as ExitCode:
            // A command that has already said what it had to, and only sets the status (check: 1).
            return ExitStatus(rawValue: e.rawValue) ?? .failure
        case let e as VaultError:
            say(e.description, hint: e.hint)
            return e.failureKind.exitStatus
        case let e as CLIError:
            say(e.description, hint: e.hint)
            return e.exitStatus
        case let e as AgentError:
            switch e {
            case .notRunning: say(e.description, hint: CLIError.locked.hint)
            case .remote(_, .notFound): say(e.description, hint: "'coffer list' shows the names")
            case .remote(_, .locked): say(e.description, hint: CLIError.locked.hint)
            case .insecureDirectory:
                // Another user may have made it first (/tmp is shared); a private directory is the way out.
                say(e.description, hint: "coffer will not use a directory others can reach; set XDG_RUNTIME_DIR to one only you can use (such as /run/user/\(Process.effectiveUID)), or COFFER_AGENT_SOCK to a socket path in one")
            default: say(e.description)
            }
            return e.kind.exitStatus
        case let e as SodiumError:
            say(e.description)
            return .failure
        default:
            return argumentParser(error, arguments: arguments)
        }
    }

    private static func say(_ message: String, hint: String? = nil) {
        Console.error(message)
        if let hint { Console.hint(hint) }
    }

    /// ArgumentParser: help and version are clean exits on stdout; the rest are usage errors, its
    /// "First sentence. Second sentence." becoming the error and a hint.
    private static func argumentParser(_ error: Error, arguments: [String]) -> ExitStatus {
        let code = CofferCommand.exitCode(for: error)
        let message = CofferCommand.message(for: error)
        if code == .success {
            Console.out(message)
            return .success
        }
        let sentences = (message.split(separator: "\n").first.map(String.init) ?? "invalid usage").split(separator: ". ", omittingEmptySubsequences: false).map(String.init)
        if sentences.count > 1 {
            say(lowercasedFirst(sentences[0]), hint: lowercasedFirst(sentences.dropFirst().joined(separator: ". ")))
        } else {
            say(lowercasedFirst(sentences[0]), hint: "see '\(commandPath(arguments).joined(separator: " ")) --help'")
        }
        return .usage
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
