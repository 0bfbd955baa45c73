import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

struct UnlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Unlock once: start an agent that keeps the vault open until an idle or absolute limit.",
        discussion: "Run again while unlocked to reset the limits. The agent never keeps the passphrase.")

    @OptionGroup var options: VaultOptions
    @OptionGroup var timers: TimerOptions

    func run() throws {
        let vault = AgentSocket.absolute(options.vaultPath)
        let socket = AgentSocket.path(forVault: vault)
        // One connection: an agent that answers `extend` was running; none answering means start one.
        var request = AgentMessageBuilder(op: .extend)
        request.add(.idle, timers.idleSeconds)
        request.add(.max, timers.maxSeconds)
        if try AgentClient.requestIfRunning(socketPath: socket, request) != nil {
            Console.out("\(vault) was already unlocked; limits reset (idle \(DurationText.format(timers.idleSeconds)), max \(DurationText.format(timers.maxSeconds)))")
            return
        }
        _ = try VaultSession.checkBeforeAsking(VaultStore(path: vault), options)
        // The agent runs the KDF; a passphrase typed wrong at the terminal is asked again, as for the file.
        try options.withPassphraseTries(read: unlockSecret) { method, secret in
            try AgentLauncher.start(vault: vault, socket: socket, idle: timers.idleSeconds, max: timers.maxSeconds, method: method, secret: secret)
        }
        Console.out("unlocked \(vault) (idle \(DurationText.format(timers.idleSeconds)), max \(DurationText.format(timers.maxSeconds)))")
        // The team vaults this unlock serves too, and any it refused (vault-v2.md §11.6).
        guard let teams = try? AgentClient.requestIfRunning(socketPath: socket, AgentMessageBuilder(op: .teams)) else { return }
        for t in AgentCodec.teams(teams) { Console.out("team \(t.name): \(t.entries == 1 ? "1 entry" : "\(t.entries) entries"), \(t.path)") }
        VaultSession.warnOfRefusedTeams(teams)
    }

    /// The unlock method and its secret, for the hand-off.
    func unlockSecret() throws -> (UnlockHandoff.Method, SecureBytes) {
        if let path = options.keyFile { return (.keyFile, try KeyFileIO.read(path).contents()) }
        return (.passphrase, try SecretInput.passphrase(fd: options.passphraseFD, file: options.passphraseFile, prompt: "Passphrase: ", confirm: false))
    }
}
