import ArgumentParser

struct Rekey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Give the vault a fresh vault key and encrypt everything again; every slot keeps working.",
        discussion: "Whoever held a removed slot's secret or an old copy of the vault can read nothing written afterwards. 'slot remove' and 'passwd' re-key by themselves; a vault of version 1, 2 or 3 is upgraded to version 4.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        try VaultSession(options).rekey()
        Console.out("re-keyed the vault")
    }
}
