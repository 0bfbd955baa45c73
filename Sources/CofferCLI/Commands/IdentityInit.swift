import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct IdentityInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make your identity (once): its secret key goes into your vault, its public key is printed.",
        discussion: "Give the printed line to a team member, who adds you with 'coffer member add NAME KEY'. The agent must hold your vault ('coffer unlock').")

    @OptionGroup var options: VaultOptions

    func run() throws {
        var request = AgentMessageBuilder(op: .identityInit)
        request.add(.now, Int(Clock.now()))
        let reply: AgentMessage
        do {
            reply = try TeamSession.ask(options, request)
        } catch AgentError.remote(_, .exists) {
            throw CLIError.exists("you already have an identity", hint: "'coffer identity show' prints it")
        }
        IdentityShow.print(reply)
    }
}
