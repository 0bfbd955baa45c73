import ArgumentParser
import CofferAgent
import CofferAgentProtocol
import CofferCore
import CofferSodium
import Glibc

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
        if try VaultSession.agentAnswers(socket) {
            var request = AgentMessageBuilder(op: "extend")
            request.add("idle", timers.idleSeconds)
            request.add("max", timers.maxSeconds)
            _ = try AgentClient(socketPath: socket).request(request)
            Console.out("\(vault) was already unlocked; limits reset (idle \(DurationText.format(timers.idleSeconds)), max \(DurationText.format(timers.maxSeconds)))")
            return
        }
        // A missing or damaged vault is reported before anything is asked.
        let store = VaultStore(path: vault)
        _ = try VaultFile(parsing: try store.read())
        VaultSession.warnIfExposed(store)
        if !options.hasExplicitUnlock && !Terminal.isAvailable { throw CLIError.locked }
        let secret = try unlockSecret()
        try AgentLauncher.start(vault: vault, socket: socket, idle: timers.idleSeconds, max: timers.maxSeconds, secret: secret)
        Console.out("unlocked \(vault) (idle \(DurationText.format(timers.idleSeconds)), max \(DurationText.format(timers.maxSeconds)))")
    }

    /// The kind byte and the passphrase or key file, for the agent's unlock pipe.
    func unlockSecret() throws -> SecureBytes {
        let kind: AgentServer.UnlockKind
        let secret: SecureBytes
        if let path = options.keyFile {
            kind = .keyFile
            secret = try KeyFileIO.read(path).contents()
        } else {
            kind = .passphrase
            secret = try SecretInput.passphrase(fd: options.passphraseFD, file: options.passphraseFile, prompt: "Passphrase: ", confirm: false)
        }
        let blob = try SecureBytes(count: secret.count + 1)
        blob.withUnsafeMutableBytes { out in
            out[0] = kind.rawValue
            secret.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[1...]).copyMemory(from: $0) }
        }
        return blob
    }
}
