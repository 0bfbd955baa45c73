import CofferAgentProtocol
import CofferCore
import CofferSodium
import CofferSystem

/// The agent's answers to each request op (`Formats/agent-protocol.md` §3).
struct AgentHandlers {
    let state: AgentState
    let teams: AgentTeams
    let timers: AgentTimers
    let lastBusy = Flag()

    /// Set by a handler that found the lock busy, read once by `handle`.
    final class Flag {
        private var value = false
        func set() { value = true }
        func take() -> Bool { defer { value = false }; return value }
    }

    /// The response, and whether the agent stops once it is sent.
    /// The response, whether the agent stops once it is sent, and whether the request wrote nothing because
    /// another writer holds the lock (the loop then tries it again instead of sending the response).
    func handle(_ request: AgentMessage) -> (response: AgentMessageBuilder, stop: Bool, busy: Bool) {
        let (response, stop) = respond(request)
        return (response, stop, lastBusy.take())
    }

    private func respond(_ request: AgentMessage) -> (response: AgentMessageBuilder, stop: Bool) {
        do {
            guard let op = request.op else {
                return (.error("unknown op '\(request.opWord)'", kind: .protocol), false)
            }
            switch op {
            case .status: return (status(), false)
            case .lock: return (.ok, true)
            case .extend: return (try extend(request), false)
            case .list: return (try list(request), false)
            case .export: return (try export(request), false)
            case .change: return (try change(request), false)
            case .slots: return (try slots(request), false)
            case .slotAddKeyFile: return (try addKeyFileSlot(request), false)
            case .slotRemove: return try removeSlot(request)
            case .rekey: return (try rekey(), false)
            case .gitGet: return (try gitGet(request), false)
            case .gitStore: return (try gitStore(request), false)
            case .gitErase: return (try gitErase(request), false)
            case .identity: return (try identity(), false)
            case .identityInit: return (try identityInit(request), false)
            case .teams: return (try teamList(), false)
            case .teamInit: return (try teamInit(request), false)
            case .teamAdd: return (try teamAdd(request), false)
            case .teamRemove:
                guard let team = request.string(.team) else { throw AgentRequestError.protocol("team-remove needs team") }
                try state.refresh()
                try teams.forget(team)
                return (.ok, false)
            case .members: return (try members(request), false)
            case .memberAdd: return (try memberAdd(request), false)
            case .memberRemove: return (try memberRemove(request), false)
            case .merge: return (try merge(request), false)
            }
        } catch VaultError.lockBusy(let path, let seconds) {
            lastBusy.set()
            // The loop waited `writeWaitMilliseconds` in all, trying again, before this is the answer.
            _ = seconds
            return (.error(VaultError.lockBusy(path, seconds: AgentServer.writeWaitMilliseconds / 1000).description, kind: .failure), false)
        } catch let error as VaultError {
            // Re-keyed by another writer without this agent's slot: it can never read the file again.
            return (.error(error.description, kind: error.failureKind), error == .rekeyedWithoutSlot)
        } catch let error as AgentRequestError {
            return (.error(error.message, kind: error.kind), false)
        } catch let error as AgentError {
            return (.error(error.description, kind: .protocol), false)
        } catch {
            return (.error("\(error)", kind: .failure), false)
        }
    }

    func status() -> AgentMessageBuilder {
        var reply = AgentMessageBuilder.ok
        reply.add(.vault, state.store.path)
        reply.add(.pid, Int(Process.id))
        reply.add(.idleLeft, timers.idleLeft)
        reply.add(.maxLeft, timers.maxLeft)
        reply.add(.idle, timers.idle)
        reply.add(.entries, state.vault.list.count)
        reply.add(.generation, state.generation)
        return reply
    }

    func extend(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let idle = request.int(.idle), let max = request.int(.max), DurationText.isValid(idle), DurationText.isValid(max) else {
            throw AgentRequestError.protocol("extend needs idle and max seconds from 1 to \(DurationText.maxSeconds)")
        }
        timers.reset(idle: idle, max: max)
        return status()
    }

    /// The selected entries without a byte of any secret: what `list` and `show` print.
    func list(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let selection = try AgentCodec.selection(request)
        try state.refresh()
        var reply = AgentMessageBuilder.ok
        reply.add(.payload, secret: try EntryList.encodeRedacted(try selectAll(selection, export: nil)))
        addProblems(&reply)
        return reply
    }

    /// The selected entries with their secrets; history records only when asked for (`show --reveal`).
    func export(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let selection = try AgentCodec.selection(request)
        try state.refresh()
        var reply = AgentMessageBuilder.ok
        reply.add(.payload, secret: try EntryList.encode(try selectAll(selection, export: request.flag(.history))))
        addProblems(&reply)
        return reply
    }

    /// One change, applied under the vault's lock to the file as it is now: no client's view can be stale.
    func change(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let (asked, now) = try AgentCodec.change(request)
        try state.refresh()
        let (team, change) = route(asked)
        var result = ChangeResult(changed: false)
        let apply = { (vault: inout Vault) throws -> Bool in
            result = try vault.list.apply(change, now: now)
            return result.changed
        }
        if let team {
            try teams.write(team, apply)
            result.added = result.added.map { team + "/" + $0 }
            result.skipped = result.skipped.map { team + "/" + $0 }
        } else {
            try state.writeIfChanged(apply)
        }
        return AgentCodec.reply(result)
    }

    func slots(_ request: AgentMessage) throws -> AgentMessageBuilder {
        try state.refresh()
        if let team = request.string(.team) { return AgentCodec.slotsReply(try teams.team(team).vault) }
        return AgentCodec.slotsReply(state.vault)
    }

    /// A write to the owner's vault, or with a `team` field to that team vault.
    func write(_ request: AgentMessage, _ change: (inout Vault) throws -> Void) throws {
        if let team = request.string(.team) {
            try state.refresh()
            return try teams.write(team) { vault in
                try change(&vault)
                return true
            }
        }
        try state.write(change)
    }

    func addKeyFileSlot(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let keyFile = try KeyFile.generate()
        let label = request.string(.label) ?? ""
        let now = request.int(.now).map(Int64.init) ?? WallClock.now()
        var id: UInt32 = 0
        try write(request) { vault in id = try vault.addKeyFileSlot(keyFile, label: label, now: now) }
        var reply = AgentMessageBuilder.ok
        reply.add(.id, Int(id))
        reply.add(.keyFile, secret: try keyFile.contents())
        return reply
    }

    /// Removing the slot this agent was unlocked through revokes that secret's session too: the agent
    /// stops once it has answered.
    func removeSlot(_ request: AgentMessage) throws -> (AgentMessageBuilder, Bool) {
        guard let id = request.int(.id), let slot = UInt32(exactly: id) else { throw AgentRequestError.protocol("slot-remove needs an id") }
        let own = request.string(.team) == nil && state.vault.unlockedSlotID == slot
        try write(request) { vault in try vault.removeSlot(id: slot) }
        return (.ok, own)
    }

    func rekey() throws -> AgentMessageBuilder {
        try state.write { vault in try vault.rekey() }
        return .ok
    }
}

extension AgentHandlers {
    func query(_ request: AgentMessage) throws -> CredentialQuery {
        var q = CredentialQuery(protocol: request.string(GitAttribute.protocol.wire), host: request.string(GitAttribute.host.wire),
                                path: request.string(GitAttribute.path.wire), username: request.string(GitAttribute.username.wire))
        q.authtypeCapable = request.flag(.capabilityAuthtype)
        if let password = request.secret(GitAttribute.password.wire) { q.password = Secret(try password.copied()) }
        if let credential = request.secret(GitAttribute.credential.wire) { q.credential = Secret(try credential.copied()) }
        return q
    }

    /// One round trip answers git's `get`: the best entry's fields, or none.
    func gitGet(_ request: AgentMessage) throws -> AgentMessageBuilder {
        try state.refresh()
        var reply = AgentMessageBuilder.ok
        let q = try query(request)
        // The owner's vault first, then each team in the order they were given (README, team vaults).
        guard let e = state.index.best(q, now: WallClock.now()) ?? teamAnswer(q) else { return reply }
        reply.add(.name, e.name)
        if e.kind == .token || e.authtype != nil {
            reply.add(GitAttribute.authtype.wire, e.authtype ?? "Bearer")
            reply.add(GitAttribute.credential.wire, secret: e.secret)
            if let user = e.username, e.kind == .login { reply.add(GitAttribute.username.wire, user) }
            if let expiry = e.passwordExpiryUTC { reply.add(GitAttribute.passwordExpiryUTC.wire, Int(expiry)) }
            return reply
        }
        if let user = e.username { reply.add(GitAttribute.username.wire, user) }
        reply.add(GitAttribute.password.wire, secret: e.secret)
        if let expiry = e.passwordExpiryUTC { reply.add(GitAttribute.passwordExpiryUTC.wire, Int(expiry)) }
        if let refresh = e.oauthRefreshToken { reply.add(GitAttribute.oauthRefreshToken.wire, secret: refresh) }
        return reply
    }

    func gitStore(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let q = try query(request)
        // git's credential for another scheme (`authtype`, git ≥ 2.46), else its password (empty too).
        let authtype = request.string(GitAttribute.authtype.wire)
        let credential = try request.secret(GitAttribute.credential.wire).map { Secret(try $0.copied()) }
        guard let password = authtype != nil && credential != nil ? credential : q.password else { return .ok }
        // An empty refresh token is none (the vault holds no empty one, vault-v2.md §7.4).
        let refresh = try request.secret(GitAttribute.oauthRefreshToken.wire).flatMap { $0.count == 0 ? nil : Secret(try $0.copied()) }
        // A time no writer may store (vault-v2.md §7.3) is dropped: git goes on without an expiry.
        let expiry = request.string(GitAttribute.passwordExpiryUTC.wire).flatMap { Int64($0) }
            .flatMap { (VaultFormat.minTime...VaultFormat.maxTime).contains($0) ? $0 : nil }
        // What a team vault answered comes back from git as a `store`: it is the team's, never copied into
        // the owner's vault (the owner's own answer is recognised by `gitStore` itself).
        if state.index.best(q, now: WallClock.now()) == nil, let e = teamAnswer(q), e.username == q.username, e.secret.constantTimeEquals(password) {
            return .ok
        }
        try state.writeIfChanged { vault in
            try vault.list.gitStore(q, password: password, authtype: credential == nil ? nil : authtype, expiry: expiry, refreshToken: refresh,
                                    now: WallClock.now())
        }
        return .ok
    }

    func gitErase(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let q = try query(request)
        try state.writeIfChanged { vault in try vault.list.gitErase(q, now: WallClock.now()) }
        return .ok
    }
}

/// The idle and absolute limits, on the monotonic clock. Deadlines are kept in milliseconds: whole seconds
/// would truncate the start, and a limit of N seconds could end after N - 1.
final class AgentTimers {
    private(set) var idle: Int
    private var idleDeadline: Int
    private var maxDeadline: Int

    init(idle: Int, max: Int) {
        self.idle = idle
        let now = AgentTimers.nowMilliseconds()
        idleDeadline = now + idle * 1000
        maxDeadline = now + max * 1000
    }

    static func nowMilliseconds() -> Int { MonotonicClock.milliseconds() }

    /// Whole seconds left, rounded up: a limit that has not passed never reads as 0.
    var idleLeft: Int { AgentTimers.seconds(idleDeadline - AgentTimers.nowMilliseconds()) }
    var maxLeft: Int { AgentTimers.seconds(maxDeadline - AgentTimers.nowMilliseconds()) }
    var expired: Bool { millisecondsLeft <= 0 }
    /// Milliseconds until the first limit.
    var millisecondsLeft: Int { Swift.min(idleDeadline, maxDeadline) - AgentTimers.nowMilliseconds() }

    func touch() { idleDeadline = AgentTimers.nowMilliseconds() + idle * 1000 }

    func reset(idle: Int, max: Int) {
        self.idle = idle
        let now = AgentTimers.nowMilliseconds()
        idleDeadline = now + idle * 1000
        maxDeadline = now + max * 1000
    }

    private static func seconds(_ milliseconds: Int) -> Int { Swift.max(0, (milliseconds + 999) / 1000) }
}
