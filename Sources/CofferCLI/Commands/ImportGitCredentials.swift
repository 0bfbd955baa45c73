import ArgumentParser

struct ImportGitCredentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-credentials",
        abstract: "Import git-credential-store's file: one https://user:password@host/path URL per line.")

    @OptionGroup var source: ImportOptions

    func run() throws {
        try Importer.gitCredentials(try source.contents(), path: source.path, now: Clock.now()).commit(source)
    }
}
