import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// The team vaults the agent holds besides the owner's vault (`vault-v2.md` §11): each opened with the
/// owner's identity (kept in the owner's vault) and checked against what the owner's vault remembers of it
/// (`TeamPin`) every time it is read, so a rollback or a vault sealed by a stranger is refused, never served.
final class AgentTeams {
    let own: AgentState
    private var held: [String: AgentState] = [:]
    /// Why a remembered team is not held, by name (shown by `teams`).
    private(set) var problems: [String: String] = [:]

    init(own: AgentState) {
        self.own = own
        for pin in own.vault.list.teams { _ = try? open(pin) }
    }

    var identity: Identity {
        get throws(VaultError) {
            guard let identity = own.vault.list.identity else { throw .noIdentity }
            return identity
        }
    }

    /// The remembered teams in the owner's order.
    var pins: [TeamPin] {
        own.vault.list.teams.map { stored in
            guard let kept = newest[stored.name], kept.vaultID == stored.vaultID, kept.generation > stored.generation else { return stored }
            return kept
        }
    }

    /// The newest pin of each team this agent has seen, kept in memory too: when writing it to the owner's
    /// vault fails (a busy lock, a full disk), the checks still use it, and the next read writes it.
    private var newest: [String: TeamPin] = [:]

    func pin(_ name: String) throws(VaultError) -> TeamPin {
        guard let pin = pins.first(where: { $0.name == name }) else { throw .teamRefused(name, "no team of that name: give it with 'coffer team add PATH'") }
        return pin
    }

    /// Opens `pin`'s file, checks it, and holds it.
    @discardableResult
    private func open(_ pin: TeamPin) throws(VaultError) -> AgentState {
        do {
            let store = VaultStore(path: pin.path)
            let (bytes, fileIdentity) = try store.readWithIdentity()
            let unlock = Unlock.identity(try identity)
            let vault = try Vault.open(bytes, with: unlock)
            remember(try pin.check(vault, own: try identity.publicKey))
            let state = AgentState(store: store, vault: vault, identity: fileIdentity, reopen: unlock)
            held[pin.name] = state
            problems[pin.name] = nil
            return state
        } catch {
            held[pin.name] = nil
            problems[pin.name] = error.description
            throw error
        }
    }

    /// The team named `name`, read again if its file changed (by the owner's identity), and checked
    /// against the pin before the new file is held.
    func team(_ name: String) throws(VaultError) -> AgentState {
        let pin = try pin(name)
        guard let state = held[name] else { return try open(pin) }
        do throws(VaultError) {
            let own = try identity.publicKey
            // Re-keyed without this member: for a team vault that is a removal, not the end of the agent.
            do throws(VaultError) { try state.refresh { vault throws(VaultError) in _ = try pin.check(vault, own: own) } } catch {
                throw error == .rekeyedWithoutSlot ? .notAMember : error
            }
            remember(try pin.check(state.vault, own: own))
        } catch {
            held[name] = nil
            problems[name] = error.description
            throw error
        }
        return state
    }

    /// Every team held now (each refreshed and checked; one that fails is left out and its reason kept).
    func all() -> [(name: String, state: AgentState)] {
        pins.compactMap { pin in (try? team(pin.name)).map { (pin.name, $0) } }
    }

    /// Keeps a moved-on pin in memory and, best effort, in the owner's vault (by name, in the vault as read
    /// under its lock: another process may have changed the list since).
    private func remember(_ pin: TeamPin) {
        guard let current = pins.first(where: { $0.name == pin.name }), current != pin else { return }
        newest[pin.name] = pin
        try? own.write { vault in
            if let i = vault.list.teams.firstIndex(where: { $0.name == pin.name }) { vault.list.teams[i] = pin }
        }
    }

    // MARK: Giving the agent a team

    /// A new team vault at `path`, the owner its first member under `member`; remembered as `name`. The
    /// memory is written first: a retried request (the owner's vault was busy) then finds nothing half done.
    func create(path: String, name: String, member: String, now: Int64) throws -> TeamPin {
        try checkNew(name: name, path: path)
        let store = VaultStore(path: path)
        guard !store.exists else { throw VaultError.vaultExists(path) }
        var vault = try Vault.createTeam(identity: try identity, name: member, now: now)
        let bytes = try vault.seal()
        let pin = try TeamPin(name: name, path: store.path, vault: vault, now: now)
        try own.write { v in v.list.teams.append(pin) }
        do {
            try store.withLock { () throws in
                guard !store.exists else { throw VaultError.vaultExists(path) }
                try store.write(bytes)
            }.get()
        } catch {
            try? own.write { v in v.list.teams.removeAll { $0.name == name } }
            throw error
        }
        try open(pin)
        return pin
    }

    /// The team vault at `path`, given to this member (first use, trusted as it is: the caller shows what
    /// it trusted). With `accept`, an existing pin of that name is replaced (v2 §11.6, the override).
    func add(path: String, name: String, accept: Bool, now: Int64) throws -> (TeamPin, Vault) {
        let store = VaultStore(path: path)
        let vault = try Vault.open(try store.read(), with: .identity(try identity))
        let pin = try TeamPin(name: name, path: store.path, vault: vault, now: now)
        if let existing = pins.first(where: { $0.name == name }) {
            guard accept else {
                // Already given: the ordinary checks, no new trust.
                _ = try existing.check(vault, own: try identity.publicKey)
                throw VaultError.invalidSlot("team '\(name)' is already known; to trust this file as it is now, add --accept")
            }
            try checkPath(store.path, except: name)
            // One write: the old memory replaced, never lost on the way.
            try own.write { v in
                v.list.teams.removeAll { $0.name == name }
                v.list.teams.append(pin)
            }
            newest[name] = nil
        } else {
            try checkNew(name: name, path: store.path)
            try own.write { v in v.list.teams.append(pin) }
        }
        try open(pin)
        return (pin, try team(pin.name).vault)
    }

    /// Forgets team `name`: its entries are no longer served; the file and the member slot stay.
    func forget(_ name: String) throws {
        guard pins.contains(where: { $0.name == name }) else { throw VaultError.teamRefused(name, "no team of that name") }
        try own.write { vault in vault.list.teams.removeAll { $0.name == name } }
        held[name] = nil
        problems[name] = nil
        newest[name] = nil
    }

    private func checkNew(name: String, path: String) throws {
        guard TeamPin.isValidName(name) else {
            throw VaultError.invalidSlot("a team name is 1 to 64 characters of A-Z a-z 0-9 . _ - @ + :, starting with a letter or digit")
        }
        guard !pins.contains(where: { $0.name == name }) else { throw VaultError.invalidSlot("a team named '\(name)' already exists") }
        try checkPath(path, except: nil)
    }

    /// A path the owner's vault can hold (the team field's rule, v2 §11.6), not another team's.
    private func checkPath(_ path: String, except name: String?) throws {
        guard TeamPin.isValidPath(path) else { throw VaultError.invalidSlot("a team vault's path is absolute, at most 4096 bytes, without control characters") }
        if let other = pins.first(where: { $0.path == path && $0.name != name }) { throw VaultError.invalidSlot("\(path) is already team '\(other.name)'") }
    }

    /// A change to team `name`'s vault, under its lock, against the current file, which must pass the
    /// owner's checks as read under that lock (git may have replaced it since the last read).
    func write(_ name: String, _ change: (inout Vault) throws -> Bool) throws {
        let state = try team(name)
        let pin = try pin(name)
        let own = try identity.publicKey
        try state.writeIfChanged(verify: { vault throws(VaultError) in _ = try pin.check(vault, own: own) }, change)
        // Remember the generation just written; a failure here must not fail (and so repeat) the change.
        _ = try? team(name)
    }

    /// `TEAM/NAME` split, when TEAM is a remembered team; nil for any other name.
    func split(_ qualified: String) -> (team: String, name: String)? {
        guard let slash = qualified.firstIndex(of: "/") else { return nil }
        let team = String(qualified[..<slash])
        guard pins.contains(where: { $0.name == team }) else { return nil }
        return (team, String(qualified[qualified.index(after: slash)...]))
    }

    /// A team's entries as the owner sees them: named `TEAM/NAME` (an entry whose name would then be longer
    /// than an entry name may be is not served).
    static func qualified(_ entries: [Entry], team: String) -> [Entry] {
        entries.compactMap { e in
            var e = e
            e.name = team + "/" + e.name
            return Entry.isValidName(e.name) ? e : nil
        }
    }
}
