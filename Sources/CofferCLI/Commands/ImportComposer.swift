import ArgumentParser

struct ImportComposer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "composer",
        abstract: "Import an auth.json: http-basic for repo.magento.com as key pairs, other hosts as logins, token sections as tokens.")

    @OptionGroup var source: ImportOptions

    func run() throws {
        try Importer.composer(try source.contents(), path: source.path, now: Clock.now()).commit(source)
    }
}
