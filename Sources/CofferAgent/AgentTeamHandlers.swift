import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// The agent's team ops (`Formats/agent-protocol.md` §3.5): the owner's identity, the team vaults it was
/// given, their members, and merges. Every team vault is checked against the owner's memory of it first.
extension AgentHandlers {
    func identity() throws -> AgentMessageBuilder {
        try state.refresh()
        guard let identity = state.vault.list.identity else { throw VaultError.noIdentity }
        return AgentHandlers.reply(identity)
    }

    func identityInit(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let now = request.int(.now).map(Int64.init) ?? WallClock.now()
        var made: Identity?
        try state.write { vault in
            guard vault.list.identity == nil else { throw VaultError.duplicateName("identity") }
            made = try Identity.generate(now: now)
            vault.list.identity = made
        }
        return AgentHandlers.reply(made!)
    }

    static func reply(_ identity: Identity) -> AgentMessageBuilder {
        var reply = AgentMessageBuilder.ok
        reply.add(.publicKey, identity.publicKeyLine)
        reply.add(.fingerprint, identity.fingerprint)
        reply.add(.created, Int(identity.created))
        return reply
    }

    /// A `team` line per team held, a `problem` per team refused (`AgentCodec.teamLine`, `problemLine`).
    func teamList() throws -> AgentMessageBuilder {
        try state.refresh()
        var reply = AgentMessageBuilder.ok
        for pin in teams.pins {
            if let held = try? teams.team(pin.name) {
                reply.add(.team, AgentCodec.teamLine(name: pin.name, generation: held.vault.generation, entries: held.vault.list.count, path: pin.path))
            } else {
                reply.add(.problem, AgentCodec.problemLine(team: pin.name, why: teams.problems[pin.name] ?? "not open"))
            }
        }
        return reply
    }

    func teamInit(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let path = request.string(.path), let name = request.string(.team), let member = request.string(.member) else {
            throw AgentRequestError.protocol("team-init needs path, team and member")
        }
        try state.refresh()
        let pin = try teams.create(path: path, name: name, member: member, now: request.int(.now).map(Int64.init) ?? WallClock.now())
        return try membersReply(pin.name)
    }

    func teamAdd(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let path = request.string(.path), let name = request.string(.team) else { throw AgentRequestError.protocol("team-add needs path and team") }
        try state.refresh()
        let (pin, _) = try teams.add(path: path, name: name, accept: request.flag(.accept), now: request.int(.now).map(Int64.init) ?? WallClock.now())
        return try membersReply(pin.name)
    }

    /// The team's vault id, generation, the fingerprint of the owner's slot's sealer, and a `member` line
    /// per member slot (`AgentCodec.memberLine`).
    func membersReply(_ team: String) throws -> AgentMessageBuilder {
        let held = try teams.team(team)
        var reply = AgentMessageBuilder.ok
        reply.add(.team, team)
        reply.add(.vaultID, Identity.hex(held.vault.id))
        reply.add(.generation, Int(held.vault.generation))
        if let sealer = held.vault.openedSealer { reply.add(.sealer, Identity.fingerprint(sealer)) }
        for m in held.vault.members {
            reply.add(.member, AgentCodec.memberLine(m))
        }
        return reply
    }

    func members(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let team = request.string(.team) else { throw AgentRequestError.protocol("members needs team") }
        try state.refresh()
        return try membersReply(team)
    }

    func memberAdd(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let team = request.string(.team), let name = request.string(.member), let line = request.string(.publicKey) else {
            throw AgentRequestError.protocol("member-add needs team, member and public-key")
        }
        guard let key = Identity.publicKey(parsing: line) else {
            throw VaultError.invalidSlot("a member key is \(Identity.publicKeyPrefix) and 64 lowercase hex digits, as 'coffer identity show' prints it")
        }
        try state.refresh()
        let now = request.int(.now).map(Int64.init) ?? WallClock.now()
        try teams.write(team) { vault in
            try vault.addMember(name: name, publicKey: key, now: now)
            return true
        }
        return try membersReply(team)
    }

    func memberRemove(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let team = request.string(.team), let name = request.string(.member) else { throw AgentRequestError.protocol("member-remove needs team and member") }
        try state.refresh()
        let now = request.int(.now).map(Int64.init) ?? WallClock.now()
        var exposed = 0
        try teams.write(team) { vault in
            try vault.removeMember(named: name, now: now)
            exposed = vault.list.count
            return true
        }
        var reply = try membersReply(team)
        reply.add(.exposed, exposed)
        return reply
    }

    // MARK: Team entries in reads

    /// The selected entries of the owner's vault and of every team held (named `TEAM/NAME`): a name the
    /// owner's vault has is the owner's; `TEAM/NAME` otherwise names team TEAM's entry NAME.
    func selectAll(_ selection: EntrySelection, export history: Bool?) throws -> [Entry] {
        func pick(_ s: EntrySelection, _ list: EntryList) throws -> [Entry] {
            if let history { return try s.export(list, history: history) }
            return try s.select(list)
        }
        var own = selection
        own.names = []
        var perTeam: [String: [String]] = [:]
        for name in selection.names {
            if state.vault.contains(name) {
                own.names.append(name)
            } else if let (team, inner) = teams.split(name) {
                perTeam[team, default: []].append(inner)
            } else {
                throw VaultError.entryNotFound(name)
            }
        }
        var entries = selection.names.isEmpty || !own.names.isEmpty ? try pick(own, state.vault.list) : []
        for (team, held) in selection.names.isEmpty ? teams.all() : try perTeam.keys.sorted().map({ ($0, try teams.team($0)) }) {
            var s = selection
            s.names = perTeam[team] ?? []
            entries += AgentTeams.qualified(try pick(s, held.vault.list), team: team)
        }
        return entries
    }

    /// `problem NAME WHY` for each team left out of a reply because it was refused.
    func addProblems(_ reply: inout AgentMessageBuilder) {
        for pin in teams.pins { if let why = teams.problems[pin.name] { reply.add(.problem, AgentCodec.problemLine(team: pin.name, why: why)) } }
    }

    /// A change to an entry named `TEAM/NAME` that the owner's vault does not have goes to team TEAM,
    /// named NAME there; every other change is the owner's.
    func route(_ change: EntryChange) -> (team: String?, change: EntryChange) {
        func inner(_ name: String) -> (String, String)? { state.vault.contains(name) ? nil : teams.split(name) }
        switch change {
        case .add(let entries, let skip):
            let split = entries.map { inner($0.name) }
            guard let first = split.first ?? nil, split.allSatisfy({ $0?.0 == first.0 }) else { return (nil, change) }
            return (first.0, .add(zip(entries, split).map { e, s in var e = e; e.name = s!.1; return e }, skipExisting: skip))
        case .remove(let name):
            guard let (t, n) = inner(name) else { return (nil, change) }
            return (t, .remove(n))
        case .setEnabled(let name, let enabled, let accept):
            guard let (t, n) = inner(name) else { return (nil, change) }
            return (t, .setEnabled(n, enabled, acceptExposure: accept))
        case .rotate(let name, let secret, let username, let purge):
            guard let (t, n) = inner(name) else { return (nil, change) }
            return (t, .rotate(n, secret: secret, username: username, purgeHistory: purge))
        case .rename(let name, let to):
            guard let (t, n) = inner(name) else { return (nil, change) }
            guard let (t2, n2) = teams.split(to), t2 == t else { return (t, .rename(n, to: to)) }
            return (t, .rename(n, to: n2))
        case .edit(let name, let edit):
            guard let (t, n) = inner(name) else { return (nil, change) }
            return (t, .edit(n, edit))
        }
    }

    /// git's `get` from the teams, in the owner's order, when the owner's vault has no answer.
    func teamAnswer(_ q: CredentialQuery) -> Entry? {
        for (_, held) in teams.all() {
            if let e = held.index.best(q, now: WallClock.now()) { return e }
        }
        return nil
    }

    // MARK: Merging

    /// git's merge of a team vault (`coffer git merge-driver`): the three files by path; the result is
    /// written over `ours` only when the merge succeeds.
    func merge(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let base = request.string(.base), let ours = request.string(.ours), let theirs = request.string(.theirs) else {
            throw AgentRequestError.protocol("merge needs base, ours and theirs")
        }
        try state.refresh()
        let identity = try teams.identity
        func open(_ path: String) throws -> Vault { try Vault.open(try Files.read(path, limit: VaultFormat.maxFileBytes).bytes, with: .identity(identity)) }
        let oursVault = try open(ours), theirsVault = try open(theirs)
        // Both sides must pass the owner's memory of this team; the base is older by nature and only read.
        guard let pin = teams.pins.first(where: { $0.vaultID == oursVault.id }) else {
            throw VaultError.teamRefused(Identity.hex(oursVault.id), "this vault is no team you were given: 'coffer team add PATH' first")
        }
        // This side is the member's own working version: every check. The other is a branch (§12).
        _ = try pin.check(oursVault, own: identity.publicKey)
        // A base this member cannot open (git's empty file when there is none, or one from before they
        // joined) is no base; any other failure fails the merge. An opened base is older than both sides.
        var baseVault: Vault?
        do {
            baseVault = try open(base)
        } catch let error as VaultError where error == .notAMember || error == .truncated {
            baseVault = nil
        }
        if let b = baseVault, b.generation > min(oursVault.generation, theirsVault.generation) || b.id != oursVault.id {
            throw VaultError.mergeConflict("the common version is not older than both sides")
        }
        try pin.checkOtherSide(theirsVault, base: baseVault, ours: oursVault, own: identity.publicKey)
        var result = try TeamMerge.merge(base: baseVault, ours: oursVault, theirs: theirsVault, now: request.int(.now).map(Int64.init) ?? WallClock.now())
        let bytes = try result.vault.seal()
        try Files.replace(ours, with: bytes) { () throws(SystemError) in }
        var reply = AgentMessageBuilder.ok
        for note in result.notes { reply.add(.note, note) }
        reply.add(.generation, Int(result.vault.generation))
        return reply
    }
}
