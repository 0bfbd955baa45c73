import ArgumentParser
import CofferCore

struct AddDownloadToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download-token",
        abstract: "Add a MAGEID and download access token; the token is read from the terminal or stdin.")

    @OptionGroup var entry: EntryOptions
    @OptionGroup var options: VaultOptions

    @Option(help: "The download host.")
    var host: String = EntryKind.downloadToken.defaultHost!

    @Option(help: "The MAGEID (the account id the token belongs to).")
    var mageid: String

    func run() throws {
        try VaultSession.add(options) {
            let token = try SecretInput.secret(prompt: "Download access token: ", what: "token")
            var new = Entry(name: entry.name, kind: .downloadToken, host: host, username: mageid, secret: token, created: Clock.now())
            new.note = entry.note
            return new
        }
    }
}
