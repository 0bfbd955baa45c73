import ArgumentParser

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "The members of a team vault: add by public key, list, remove (which re-keys and marks exposure).",
        subcommands: [MemberAdd.self, MemberList.self, MemberRemove.self])
}
