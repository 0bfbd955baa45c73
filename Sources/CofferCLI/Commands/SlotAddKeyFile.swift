import ArgumentParser
import CofferSystem

struct SlotAddKeyFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-keyfile",
        abstract: "Write a new random key file (mode 0600) and add a slot that it unlocks.",
        discussion: "Deploy scripts then use --key-file PATH: no passphrase, no Argon2 cost. 'coffer slot remove ID' revokes it alone.")

    @Argument(help: "Where to write the key file; an existing file is never overwritten.")
    var path: String

    @OptionGroup var options: VaultOptions

    func run() throws {
        if Files.exists(path) {
            throw CLIError.failure("\(path) already exists", hint: "coffer never overwrites a key file; choose another path")
        }
        let id = try VaultSession(options).addKeyFileSlot(writing: { try KeyFileIO.write($0, to: path) }, undo: { try? Files.remove(path) })
        Console.out("added key-file slot \(id); the key is in \(path)")
    }
}
