import ArgumentParser
import CofferCore

extension TokenType: ExpressibleByArgument {}

struct AddToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Add a composer auth token; the token (or consumer secret) is read from the terminal or stdin.")

    @OptionGroup var entry: EntryOptions
    @OptionGroup var options: VaultOptions

    @Option(help: "github-oauth, gitlab-token, gitlab-oauth, bitbucket-oauth or bearer.")
    var type: TokenType

    @Option(help: "The host the token is for.")
    var host: String

    @Option(name: .customLong("consumer-key"), help: "The consumer key (bitbucket-oauth only).")
    var consumerKey: String?

    func validate() throws {
        if (type == .bitbucketOAuth) != (consumerKey != nil) {
            throw ValidationError(type == .bitbucketOAuth ? "bitbucket-oauth needs --consumer-key" : "--consumer-key is for bitbucket-oauth only")
        }
    }

    func run() throws {
        try VaultSession.add(options) {
            let what = type == .bitbucketOAuth ? "consumer secret" : "token"
            let token = try SecretInput.secret(prompt: type == .bitbucketOAuth ? "Consumer secret: " : "Token: ", what: what)
            var new = Entry(name: entry.name, kind: .token, host: host, username: consumerKey, secret: token, created: Clock.now())
            new.tokenType = type
            new.note = entry.note
            return new
        }
    }
}
