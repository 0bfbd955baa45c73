import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct TeamRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget a team vault: its entries leave your list and git's answers.",
        discussion: "The file and your member slot in it stay; to leave the team, ask a member to remove you ('coffer member remove NAME'), which re-keys it.")

    @Argument(help: ArgumentHelp("The team, as 'coffer team list' names it.", valueName: "team"))
    var team: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        var request = AgentMessageBuilder(op: .teamRemove)
        request.add(.team, team)
        _ = try TeamSession.ask(options, request)
        Console.out("forgot team '\(team)'; its file and your membership stay")
    }
}
