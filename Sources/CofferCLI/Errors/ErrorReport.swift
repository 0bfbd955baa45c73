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
            case .notRunning: say(e.description, hint: CLIError.lockedHint)
            case .remote(_, .notFound): say(e.description, hint: "'coffer list' shows the names")
            case .remote(_, .locked): say(e.description, hint: CLIError.lockedHint)
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
    /// "First sentence. Second sentence." becoming the error and a hint, and a list of allowed values one
    /// line of the hint. A word where a subcommand belongs is an unknown command, with a did-you-mean.
    private static func argumentParser(_ error: Error, arguments: [String]) -> ExitStatus {
        let code = CofferCommand.exitCode(for: error)
        let message = CofferCommand.message(for: error)
        if code == .success {
            Console.out(message)
            return .success
        }
        if let unknown = unknownCommand(arguments) {
            say(unknown.message, hint: unknown.hint)
            return .usage
        }
        let lines = message.split(separator: "\n").map(String.init)
        let items = lines.dropFirst().compactMap { line -> String? in
            let trimmed = line.trimmed
            return trimmed.hasPrefix("- ") ? String(trimmed.dropFirst(2)) : nil
        }
        let sentences = sentences(lines.first ?? "invalid usage")
        var hint = sentences.count > 1 ? lowercasedFirst(sentences.dropFirst().joined(separator: " ")) : nil
        if !items.isEmpty {
            let list = items.count == 1 ? "'\(items[0])'" : items.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(items.last!)'"
            hint = (hint ?? "use one of:").replacing("one of the following:", with: "one of") + " " + list
        }
        say(lowercasedFirst(sentences[0]), hint: hint ?? "see '\(commandPath(arguments).joined(separator: " ")) --help'")
        return .usage
    }

    /// A message's sentences: split at ". " before a capital letter only, so "e.g. 90s" stays whole.
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            current.append(c)
            if c == ".", chars.first == " ", let next = chars.dropFirst().first, next.isUppercase {
                result.append(current)
                current = ""
                chars = chars.dropFirst()
            }
        }
        if !current.isEmpty || result.isEmpty { result.append(current) }
        return result
    }

    /// The first word where only a subcommand can stand (after `coffer`, `add`, `slot`…), when it names none.
    static func unknownCommand(_ arguments: [String]) -> (message: String, hint: String)? {
        let (path, command) = walk(arguments)
        let subcommands = command.configuration.subcommands.map(name(of:))
        guard !subcommands.isEmpty, let word = arguments.dropFirst(path.count - 1).first, !word.hasPrefix("-"), word != "help" else { return nil }
        let group = path.joined(separator: " ")
        let close = subcommands.filter { distance($0, word) <= max(1, min(2, word.count / 3)) }
        let hint = close.isEmpty ? "see '\(group) --help'" : "did you mean " + close.map { "'\(group) \($0)'" }.joined(separator: " or ") + "?"
        return ("unknown command '\(word)' for '\(group)'", hint)
    }

    static func name(of command: ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }

    /// Levenshtein distance, with a transposition counting one (`keypiar` is one from `keypair`).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// The words of `arguments` that name subcommands: `coffer add token` for `add token NAME --type x`.
    static func commandPath(_ arguments: [String]) -> [String] { walk(arguments).path }

    /// The leading words of `arguments` that name subcommands, and the command they reach.
    static func walk(_ arguments: [String]) -> (path: [String], command: ParsableCommand.Type) {
        var path = ["coffer"]
        var command: ParsableCommand.Type = CofferCommand.self
        for word in arguments {
            guard let sub = command.configuration.subcommands.first(where: { name(of: $0) == word }) else { break }
            path.append(word)
            command = sub
        }
        return (path, command)
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
