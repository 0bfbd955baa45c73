import ArgumentParser
import CofferAgentProtocol
import CofferCore
import Glibc

struct SlotAddKeyFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-keyfile",
        abstract: "Write a new random key file (mode 0600) and add a slot that it unlocks.",
        discussion: "Deploy scripts then use --key-file PATH: no passphrase, no Argon2 cost. 'coffer slot remove ID' revokes it alone.")

    @Argument(help: "Where to write the key file; an existing file is never overwritten.")
    var path: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        if access(path, F_OK) == 0 {
            throw CLIError.failure("\(path) already exists", hint: "coffer never overwrites a key file; choose another path")
        }
        let id: Int
        switch try VaultSession.access(options) {
        case .agent(let socket):
            let reply = try AgentClient(socketPath: socket).request(AgentMessageBuilder(op: "slot-add-keyfile"))
            guard let contents = try reply.secret("key-file"), let slot = reply.int("id") else {
                throw AgentError.malformed("slot-add-keyfile reply without a key file")
            }
            let keyFile = try contents.withUnsafeBytes { try KeyFile(contents: $0) }
            try KeyFileIO.write(keyFile, to: path)
            id = slot
        case .file(let unlock):
            let keyFile = try KeyFile.generate()
            // The key file first: a slot whose key could not be written would be a slot nobody can use.
            try KeyFileIO.write(keyFile, to: path)
            do {
                id = try VaultSession.modifyVault(options, unlock: unlock) { vault in (true, try vault.addKeyFileSlot(keyFile)) }
            } catch {
                unlink(path)
                throw error
            }
        }
        Console.out("added key-file slot \(id); the key is in \(path)")
    }
}
