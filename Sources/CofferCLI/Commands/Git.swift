import ArgumentParser

struct GitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git", abstract: "Use Coffer as git's credential helper.", subcommands: [GitSetup.self, GitMergeDriver.self])
}
