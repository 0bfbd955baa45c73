import CofferSystem
import ArgumentParser
import CofferAgentProtocol

/// The `coffer` command: only lists its subcommands.
public struct CofferCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "coffer",
        abstract: "An encrypted vault for repository credentials: Magento key pairs, download tokens, git logins.",
        version: "0.1.0",
        subcommands: [
            Init.self, Add.self, List.self, Show.self, Get.self, Enable.self, Disable.self, Remove.self, Rename.self, Edit.self, Rotate.self, Passwd.self, Rekey.self, Upgrade.self,
            UnlockCommand.self, Lock.self, Status.self, SlotCommand.self, IdentityCommand.self, TeamCommand.self, MemberCommand.self, GitCommand.self,
            Export.self, Exec.self, Import.self, Check.self, ComposerCommand.self, Which.self, AgentCommand.self,
        ]
    )

    public init() {}
}

/// The entry point of the `coffer` executable: runs a command and turns every error into the documented
/// `coffer: error: …` line, optional hint, and exit code (`ErrorReport`).
public enum CofferMain {
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        // Every command may hold a secret: no core file, no ptrace by other processes of the user.
        Hardening.noCoreDumps()
        defer { TestHooks.reportDerivations() }
        do {
            var command = try CofferCommand.parseAsRoot(arguments)
            try command.run()
            return ExitStatus.success.rawValue
        } catch {
            return ErrorReport.report(error, arguments: arguments)
        }
    }
}
