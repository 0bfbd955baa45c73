import ArgumentParser

struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Your X25519 identity for team vaults, kept in your own vault.",
        subcommands: [IdentityInit.self, IdentityShow.self])
}
