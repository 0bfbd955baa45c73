import ArgumentParser
import CofferCore
import CofferSodium
import CofferSystem

/// `coffer get NAME [--field F]`: one value for a script, like `pass show` or `op read`.
struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print one value of an entry (its secret by default) and a newline, nothing else.",
        discussion: "For scripts: TOKEN=$(coffer get deploy-key). The secret's bytes are printed exactly as stored. A disabled entry is refused unless --allow-disabled; a field the entry does not have exits 6.")

    /// The fields, by their names in `--json` output (README, "JSON output").
    enum Field: String, CaseIterable, ExpressibleByArgument {
        case secret, username, host, `protocol`, path, name, kind, state, token_type, authtype, note, password_expiry_utc,
             oauth_refresh_token, created, updated
    }

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @Option(help: ArgumentHelp("The value to print (default: secret): \(Field.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "field"))
    var field: Field?

    @Flag(name: .customLong("allow-disabled"), help: "Print the value of a disabled entry too.")
    var allowDisabled = false

    @Flag(help: "Print a JSON object: the entry as 'show --reveal --json' prints it without history, or with --field that one field.")
    var json = false

    @OptionGroup var options: VaultOptions

    func run() throws {
        // Only this entry's secrets reach this process.
        guard let e = try VaultSession(options).export(EntrySelection(names: [name]), history: false).first else {
            throw VaultError.entryNotFound(name)
        }
        guard e.enabled || allowDisabled else {
            throw CLIError.failure("entry '\(name)' is \(EntryView.state(e))", hint: "enable it with 'coffer enable \(name)', or pass --allow-disabled")
        }
        let chosen = field ?? .secret
        if json && field == nil {
            if !e.secret.isUTF8 || e.oauthRefreshToken?.isUTF8 == false {
                Console.warning("a secret of '\(e.name)' is not UTF-8 text; it is shown with U+FFFD in place of the bad bytes")
            }
            Console.out(try EntryView.json(EntryView(e, reveal: true)))
            return
        }
        switch value(of: e, chosen) {
        case nil:
            throw CLIError.notFound("entry '\(name)' has no \(chosen.rawValue)")
        case .text(let text)?:
            Console.out(json ? try EntryView.json([chosen.rawValue: text] as [String: String]) : text)
        case .number(let n)?:
            Console.out(json ? try EntryView.json([chosen.rawValue: n] as [String: Int64]) : String(n))
        case .secret(let secret)?:
            if json {
                if !secret.isUTF8 { Console.warning("the \(chosen.rawValue) of '\(e.name)' is not UTF-8 text; it is shown with U+FFFD in place of the bad bytes") }
                Console.out(try EntryView.json([chosen.rawValue: secret.revealed()] as [String: String]))
            } else {
                // Straight from locked memory: no String copy of the secret.
                do {
                    try secret.withUnsafeBytes { (b) throws(SystemError) in try Files.writeAll(1, b, path: "the output") }
                    try Files.writeAll(1, [0x0A], path: "the output")
                } catch {
                    // A script must not take a cut token for the whole one.
                    throw CLIError.failure("cannot write the \(chosen.rawValue): \(error.errno.text)")
                }
            }
        }
    }

    enum Value {
        case text(String)
        case number(Int64)
        case secret(Secret)
    }

    func value(of e: Entry, _ field: Field) -> Value? {
        switch field {
        case .secret: .secret(e.secret)
        case .oauth_refresh_token: e.oauthRefreshToken.map(Value.secret)
        case .username: e.username.map(Value.text)
        case .host: .text(e.host)
        case .protocol: e.protocol.map(Value.text)
        case .path: e.path.map(Value.text)
        case .name: .text(e.name)
        case .kind: .text(e.kind.word)
        case .state: .text(EntryView.state(e))
        case .token_type: e.tokenType.map { .text($0.rawValue) }
        case .authtype: e.authtype.map(Value.text)
        case .note: e.note.map(Value.text)
        case .password_expiry_utc: e.passwordExpiryUTC.map(Value.number)
        case .created: .text(Clock.format(e.created))
        case .updated: .text(Clock.format(e.updated))
        }
    }
}
