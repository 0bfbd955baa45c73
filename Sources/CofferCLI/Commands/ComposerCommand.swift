import ArgumentParser

struct ComposerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "composer", abstract: "Let composer ask Coffer for credentials on demand (a composer plugin).",
        subcommands: [ComposerSetup.self, ComposerCredentials.self])
}
