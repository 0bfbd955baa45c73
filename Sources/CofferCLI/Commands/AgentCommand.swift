import ArgumentParser
import CofferAgent
import CofferAgentProtocol

/// The agent process itself, started by `coffer unlock`; not for direct use.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run the agent (started by 'coffer unlock').", shouldDisplay: false)

    @Option var vault: String
    @Option var socket: String
    @Option var idle: Int
    @Option var max: Int

    func validate() throws {
        guard DurationText.isValid(idle), DurationText.isValid(max) else {
            throw ValidationError("--idle and --max must be 1 to \(DurationText.maxSeconds) seconds")
        }
    }

    func run() throws {
        AgentServer.run(vaultPath: vault, socketPath: socket, idle: idle, max: max)
    }
}
