import CofferAgentProtocol
import CofferCore
import CofferSodium
import Glibc

/// The agent's answers to each request op (`Formats/agent-protocol.md` §3).
struct AgentHandlers {
    let state: AgentState
    let timers: AgentTimers

    /// The response, and whether the agent stops once it is sent.
    func handle(_ request: AgentMessage) -> (response: AgentMessageBuilder, stop: Bool) {
        do {
            switch request.op {
            case "status": return (status(), false)
            case "lock": return (AgentMessageBuilder(status: "ok"), true)
            case "extend": return (try extend(request), false)
            case "entries": return (try entries(), false)
            case "apply": return (try apply(request), false)
            case "slots": return (try slots(), false)
            case "slot-add-keyfile": return (try addKeyFileSlot(), false)
            case "slot-remove": return (try removeSlot(request), false)
            case "git-get": return (try gitGet(request), false)
            case "git-store": return (try gitStore(request), false)
            case "git-erase": return (try gitErase(request), false)
            case let op: return (AgentHandlers.error("unknown op '\(op ?? "")'", kind: "protocol"), false)
            }
        } catch let error as VaultError {
            return (AgentHandlers.error(error.description, kind: error.kind), false)
        } catch let error as AgentRequestError {
            return (AgentHandlers.error(error.message, kind: error.kind), false)
        } catch {
            return (AgentHandlers.error("\(error)", kind: "failure"), false)
        }
    }

    static func error(_ message: String, kind: String) -> AgentMessageBuilder {
        var reply = AgentMessageBuilder(status: "error")
        reply.add("message", message)
        reply.add("kind", kind)
        return reply
    }

    func status() -> AgentMessageBuilder {
        var reply = AgentMessageBuilder(status: "ok")
        reply.add("vault", state.store.path)
        reply.add("pid", Int(getpid()))
        reply.add("idle-left", timers.idleLeft)
        reply.add("max-left", timers.maxLeft)
        reply.add("idle", timers.idle)
        reply.add("entries", state.vault.list.count)
        reply.add("generation", state.generation)
        return reply
    }

    func extend(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let idle = request.int("idle"), let max = request.int("max"), idle > 0, max > 0 else {
            throw AgentRequestError(message: "extend needs positive idle and max seconds", kind: "protocol")
        }
        timers.reset(idle: idle, max: max)
        return status()
    }

    func entries() throws -> AgentMessageBuilder {
        try state.refresh()
        var reply = AgentMessageBuilder(status: "ok")
        reply.add("generation", state.generation)
        reply.add("payload", secret: try EntryList.encode(state.vault.entries))
        return reply
    }

    /// Removes and upserts entries in one write, refused with kind `conflict` when the client's view
    /// (its generation) is no longer the vault's.
    func apply(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let generation = request.int("generation") else {
            throw AgentRequestError(message: "apply needs a generation", kind: "protocol")
        }
        let upserts = try request.secret("payload").map { try EntryList(decoding: $0).entries } ?? []
        let removals = request.strings("remove")
        try state.write { vault in
            guard generation == state.generation else {
                throw AgentRequestError(message: "the vault changed while the command ran", kind: "conflict")
            }
            for name in removals { try vault.remove(name) }
            for entry in upserts { try vault.list.upsert(entry) }
        }
        var reply = AgentMessageBuilder(status: "ok")
        reply.add("generation", state.generation)
        return reply
    }

    func slots() throws -> AgentMessageBuilder {
        try state.refresh()
        var reply = AgentMessageBuilder(status: "ok")
        for (id, slot) in state.vault.slots.enumerated() { reply.add("slot", "\(id) \(slot.typeName)") }
        return reply
    }

    func addKeyFileSlot() throws -> AgentMessageBuilder {
        let keyFile = try KeyFile.generate()
        var id = 0
        try state.write { vault in id = try vault.addKeyFileSlot(keyFile) }
        var reply = AgentMessageBuilder(status: "ok")
        reply.add("id", id)
        reply.add("key-file", secret: try keyFile.contents())
        return reply
    }

    func removeSlot(_ request: AgentMessage) throws -> AgentMessageBuilder {
        guard let id = request.int("id") else { throw AgentRequestError(message: "slot-remove needs an id", kind: "protocol") }
        try state.write { vault in try vault.removeSlot(id: id) }
        return AgentMessageBuilder(status: "ok")
    }
}

extension AgentHandlers {
    func query(_ request: AgentMessage) throws -> CredentialQuery {
        var q = CredentialQuery(protocol: request.string("protocol"), host: request.string("host"),
                                path: request.string("path"), username: request.string("username"))
        q.authtypeCapable = request.string("capability-authtype") == "1"
        if let password = try request.secret("password") { q.password = Secret(password) }
        return q
    }

    /// One round trip answers git's `get`: the best entry's fields, or none.
    func gitGet(_ request: AgentMessage) throws -> AgentMessageBuilder {
        try state.refresh()
        var reply = AgentMessageBuilder(status: "ok")
        let q = try query(request)
        guard let e = state.index.best(q, now: WallClock.now()) else { return reply }
        reply.add("name", e.name)
        if e.kind == .token {
            reply.add("authtype", "Bearer")
            reply.add("credential", secret: e.secret.storage, range: e.secret.range)
            return reply
        }
        if let user = e.username { reply.add("username", user) }
        reply.add("password", secret: e.secret.storage, range: e.secret.range)
        if let expiry = e.passwordExpiryUTC { reply.add("password-expiry-utc", Int(expiry)) }
        if let refresh = e.oauthRefreshToken { reply.add("oauth-refresh-token", secret: refresh.storage, range: refresh.range) }
        return reply
    }

    func gitStore(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let q = try query(request)
        guard let password = q.password else { return AgentMessageBuilder(status: "ok") }
        let refresh = try request.secret("oauth-refresh-token").map(Secret.init)
        let expiry = request.string("password-expiry-utc").flatMap { Int64($0) }
        try state.writeIfChanged { vault in
            try vault.list.gitStore(q, password: password, expiry: expiry, refreshToken: refresh, now: WallClock.now())
        }
        return AgentMessageBuilder(status: "ok")
    }

    func gitErase(_ request: AgentMessage) throws -> AgentMessageBuilder {
        let q = try query(request)
        try state.writeIfChanged { vault in try vault.list.gitErase(q, now: WallClock.now()) }
        return AgentMessageBuilder(status: "ok")
    }
}

struct AgentRequestError: Error {
    let message: String
    let kind: String
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

    static func nowMilliseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }

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
