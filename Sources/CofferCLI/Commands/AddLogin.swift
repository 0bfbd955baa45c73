import ArgumentParser
import CofferCore

struct AddLogin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Add a login as git's credential protocol carries it; the password is read from the terminal or stdin.",
        discussion: "With --refresh-token, a second line of standard input (or a second prompt) is the OAuth refresh token.")

    @OptionGroup var entry: EntryOptions
    @OptionGroup var options: VaultOptions

    @Option(name: .customLong("protocol"), help: "The protocol, as git names it.")
    var proto: String = "https"

    @Option(help: "The host, with :port when the port is not the protocol's default.")
    var host: String

    @Option(help: "A path the login is limited to (git sends one only with credential.useHttpPath).")
    var path: String?

    @Option(help: "The username.")
    var username: String

    @Option(name: .customLong("password-expiry-utc"), help: "When the password expires, in Unix seconds.")
    var passwordExpiryUTC: Int64?

    @Flag(name: .customLong("refresh-token"), help: "Also read an OAuth refresh token.")
    var withRefreshToken = false

    func run() throws {
        try VaultSession.add(options) {
            let password = try SecretInput.secret(prompt: "Password: ", what: "password")
            var new = Entry(name: entry.name, kind: .login, host: host, username: username, secret: password, created: Clock.now())
            new.protocol = proto
            new.path = path
            new.passwordExpiryUTC = passwordExpiryUTC
            if withRefreshToken {
                new.oauthRefreshToken = try SecretInput.secret(prompt: "OAuth refresh token: ", what: "refresh token")
            }
            new.note = entry.note
            return new
        }
    }
}
