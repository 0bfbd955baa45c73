import ArgumentParser
import CofferCore

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change an entry's note, host, username, protocol, path or expiry; never its secret ('coffer rotate' does that).",
        discussion: "The history stays. --username is the public key of a key pair, the MAGEID of a download token, the consumer key of a bitbucket-oauth token.")

    @Argument(help: EntryNames.help, completion: .custom(EntryNames.complete))
    var name: String

    @Option(help: "A new note.")
    var note: String?

    @Flag(name: .customLong("remove-note"), help: "Remove the note.")
    var removeNote = false

    @Option(help: "A new host, with :port when the port is not the protocol's default.")
    var host: String?

    @Option(name: [.customLong("username"), .customLong("public-key")], help: "A new username (public key, MAGEID, consumer key).")
    var username: String?

    @Option(name: .customLong("protocol"), help: "A new protocol (logins).")
    var proto: String?

    @Option(help: "A new path (logins).")
    var path: String?

    @Flag(name: .customLong("remove-path"), help: "Remove the path (logins).")
    var removePath = false

    @Option(name: .customLong("password-expiry-utc"), help: "A new expiry, in Unix seconds (logins).")
    var passwordExpiryUTC: Int64?

    @Flag(name: .customLong("remove-password-expiry"), help: "Remove the expiry (logins).")
    var removePasswordExpiry = false

    @OptionGroup var options: VaultOptions

    var edit: EntryEdit {
        var edit = EntryEdit()
        edit.note = note.map { .set($0) } ?? (removeNote ? .remove : nil)
        edit.host = host
        edit.username = username
        edit.protocol = proto
        edit.path = path.map { .set($0) } ?? (removePath ? .remove : nil)
        edit.passwordExpiryUTC = passwordExpiryUTC.map { .set($0) } ?? (removePasswordExpiry ? .remove : nil)
        return edit
    }

    func validate() throws {
        for (value, flag, option) in [(note != nil, removeNote, "note"), (path != nil, removePath, "path"), (passwordExpiryUTC != nil, removePasswordExpiry, "password-expiry")] where value && flag {
            throw ValidationError("use only one of --\(option == "password-expiry" ? "password-expiry-utc" : option) and --remove-\(option)")
        }
        if edit.isEmpty { throw ValidationError("nothing to change; name at least one of --note, --host, --username, --protocol, --path, --password-expiry-utc or a --remove- flag") }
    }

    func run() throws {
        let result = try VaultSession(options).change(.edit(name, edit))
        Console.out(result.changed ? "edited '\(name)'" : "'\(name)' already is so")
    }
}
