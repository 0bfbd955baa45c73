import ArgumentParser
import CofferCore
import CofferSystem

struct SlotRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a slot and re-key the vault, so the removed passphrase or key file opens nothing written afterwards.",
        discussion: "Ids never change and are never reused. Removing the last passphrase slot, or the slot this session was unlocked with, asks first; without a terminal it needs --force. The last slot that opens the vault cannot be removed.")

    @Argument(help: "The slot's id, from 'coffer slot list'.")
    var id: UInt32

    @Flag(help: "Remove without asking, even the last passphrase slot or the slot this session was unlocked with.")
    var force = false

    @Option(help: ArgumentHelp("A team vault's slots (through the agent).", valueName: "team"))
    var team: String?

    @OptionGroup var options: VaultOptions

    func run() throws {
        let session = VaultSession(options, team: team)
        let (slots, unlocked) = try session.slots()
        guard let slot = slots.first(where: { $0.id == id }) else { throw VaultError.slotNotFound(id) }
        var reasons: [String] = []
        if slot.type == "passphrase", !slots.contains(where: { $0.id != id && $0.type == "passphrase" }) {
            reasons.append("it is the last passphrase slot")
        }
        if unlocked == id { reasons.append("it is the slot this session was unlocked with") }
        if !reasons.isEmpty && !force {
            let what = "slot \(id)\(slot.label.isEmpty ? "" : " '\(slot.label)'")"
            switch Terminal.confirm("remove \(what)? \(reasons.joined(separator: " and "))") {
            case true?: break
            case false?: throw CLIError.failure("\(what) was not removed")
            case nil: throw CLIError.usage("\(what) is not removed without a terminal to ask: \(reasons.joined(separator: " and "))", hint: "pass --force to remove it anyway")
            }
        }
        try session.removeSlot(id: id)
        Console.out("removed slot \(id); the vault was re-keyed")
    }
}
