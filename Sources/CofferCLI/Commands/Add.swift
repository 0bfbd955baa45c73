import ArgumentParser

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an entry; its secret is read from the terminal (no echo) or standard input.",
        subcommands: [AddKeypair.self, AddDownloadToken.self, AddLogin.self, AddToken.self])
}
