import ArgumentParser

struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Team vaults: a vault file in a git repository, opened with each member's identity.",
        discussion: "Share it with git itself: commit, pull and push. Its entries appear as TEAM/NAME beside yours.",
        subcommands: [TeamInit.self, TeamAdd.self, TeamList.self, TeamRemove.self])
}
