import ArgumentParser

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Print or write credentials for other tools: composer's auth.json / COMPOSER_AUTH, netrc.",
        subcommands: [ExportComposer.self, ExportNetrc.self])
}
