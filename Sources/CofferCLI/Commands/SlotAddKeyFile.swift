import ArgumentParser
import CofferCore
import CofferSystem

struct SlotAddKeyFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-keyfile",
        abstract: "Write a new random key file (mode 0600) and add a slot that it unlocks.",
        discussion: "Deploy scripts then use --key-file PATH: no passphrase, no Argon2 cost. 'coffer slot remove ID' revokes it alone: the vault is re-keyed, so the key file opens nothing written afterwards.")

    @Argument(help: "Where to write the key file; an existing file is never overwritten.")
    var path: String

    @Option(help: "A name for the slot, e.g. deploy-prod (at most 64 bytes, no control characters).")
    var label = ""

    @Option(help: ArgumentHelp("Add it to this team vault (through the agent), for a CI or deploy host.", valueName: "team"))
    var team: String?

    @OptionGroup var options: VaultOptions

    func validate() throws {
        guard SlotInfo.isValidLabel(label) else { throw ValidationError("a label is at most 64 bytes of text without control characters") }
    }

    func run() throws {
        if Files.exists(path) {
            throw CLIError.exists("\(path) already exists", hint: "coffer never overwrites a key file; choose another path")
        }
        let id = try VaultSession(options, team: team).addKeyFileSlot(label: label, writing: { try KeyFileIO.write($0, to: path) }, undo: { try? Files.remove(path) })
        Console.out("added key-file slot \(id)\(label.isEmpty ? "" : " '\(label)'"); the key is in \(path)")
    }
}
