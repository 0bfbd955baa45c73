import ArgumentParser
import CofferAgentProtocol
import CofferCore

struct IdentityShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print your public key as one line to paste, and its fingerprint.")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print only the key line.")
    var quiet = false

    func run() throws {
        let reply: AgentMessage
        do {
            reply = try TeamSession.ask(options, AgentMessageBuilder(op: .identity))
        } catch AgentError.remote(_, .notFound) {
            throw CLIError.notFound("you have no identity yet", hint: "make one with 'coffer identity init'")
        }
        if quiet { return Console.out(reply.string(.publicKey) ?? "") }
        IdentityShow.print(reply)
    }

    static func print(_ reply: AgentMessage) {
        Console.out(reply.string(.publicKey) ?? "")
        Console.out("fingerprint \(reply.string(.fingerprint) ?? "")")
    }
}
