import ArgumentParser
import CofferCore

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move plaintext credentials into the vault: composer's auth.json, git's .git-credentials.",
        subcommands: [ImportComposer.self, ImportGitCredentials.self])
}

/// What `import` found: entries to add and what it skipped, with why.
struct ImportPlan {
    var entries: [Entry] = []
    var skipped: [String] = []
}

extension ImportPlan {
    /// Adds the new entries in one write, reports them without secrets, and with `removeSource` deletes the
    /// plaintext file only once the vault write succeeded.
    func commit(_ options: VaultOptions, source: String, removeSource: Bool) throws {
        var plan = self
        let added = try VaultSession.modify(options) { list -> (changed: Bool, result: [Entry]) in
            var added: [Entry] = []
            for entry in plan.entries {
                if list.contains(entry.name) {
                    plan.skipped.append("'\(entry.name)': an entry of that name exists")
                    continue
                }
                try list.add(entry)
                added.append(entry)
            }
            return (!added.isEmpty, added)
        }
        for e in added { Console.out("imported \(e.kind == .token ? e.tokenType!.rawValue : e.kind.word) '\(e.name)' for \(e.host)") }
        for why in plan.skipped { Console.out("skipped \(why)") }
        Console.out("\(added.count) imported, \(plan.skipped.count) skipped")
        if removeSource {
            try PrivateFile.shred(source)
            Console.out("removed \(source)")
        }
    }
}
