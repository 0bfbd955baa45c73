import ArgumentParser
import CofferCore

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one entry; secrets only with --reveal.")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print the secrets too.")
    var reveal = false

    @Flag(help: "Print a JSON object (fields documented in the README).")
    var json = false

    func run() throws {
        // Without --reveal the agent sends no secret at all; with it, only this entry's.
        let session = VaultSession(options)
        let selection = EntrySelection(names: [name])
        guard let e = try (reveal ? session.export(selection, history: true) : session.list(selection)).first else {
            throw VaultError.entryNotFound(name)
        }
        let secrets = [e.secret] + (e.oauthRefreshToken.map { [$0] } ?? []) + e.history.map(\.secret)
        if reveal && !secrets.allSatisfy(\.isUTF8) {
            Console.warning("a secret of '\(e.name)' is not UTF-8 text; it is shown with U+FFFD in place of the bad bytes")
        }
        if json {
            Console.out(try EntryView.json(EntryView(e, detail: true, reveal: reveal)))
        } else {
            Show.render(e, reveal: reveal).forEach(Console.out)
        }
    }

    static func render(_ e: Entry, reveal: Bool) -> [String] {
        let labels = EntryView.labels(e)
        let hidden = "(hidden; --reveal shows it)"
        var rows: [[String]] = [["name", e.name], ["kind", e.kind.word]]
        if let type = e.tokenType { rows.append(["type", type.rawValue]) }
        rows.append(["state", EntryView.state(e)])
        if let at = e.rejectedAt, let host = e.rejectedHost { rows.append(["rejected", "by \(host) at \(Clock.format(at))"]) }
        for x in e.exposures { rows.append(["exposed", "to \(x.member) since \(Clock.format(x.since)) (rotate it, or 'coffer enable --accept-exposure')"]) }
        if let proto = e.protocol { rows.append(["protocol", proto]) }
        rows.append(["host", e.host])
        if let path = e.path { rows.append(["path", path]) }
        if let authtype = e.authtype { rows.append(["authtype", authtype]) }
        if let user = e.username { rows.append([labels.user, user]) }
        rows.append([labels.secret, reveal ? e.secret.revealed() : hidden])
        if let refresh = e.oauthRefreshToken { rows.append(["refresh token", reveal ? refresh.revealed() : hidden]) }
        if let expiry = e.passwordExpiryUTC { rows.append(["expires", Clock.format(expiry)]) }
        if let note = e.note { rows.append(["note", note]) }
        rows.append(["origin", e.origin.word])
        rows.append(["created", Clock.format(e.created)])
        rows.append(["updated", Clock.format(e.updated)])
        var lines = Console.table(rows)
        if !e.history.isEmpty {
            lines.append("history (disabled, oldest first):")
            for record in e.history {
                var line = "  \(Clock.format(record.created)) to \(Clock.format(record.retired))"
                if let user = record.username { line += "  \(labels.user) \(user)" }
                line += "  \(labels.secret) \(reveal ? record.secret.revealed() : "(hidden)")"
                lines.append(line)
            }
        }
        return lines
    }
}
