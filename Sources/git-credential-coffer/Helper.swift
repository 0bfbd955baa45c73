import CofferAgentProtocol
import CofferSodium
import CofferSystem

/// `git-credential-coffer [--vault PATH] [--prompt] get|store|erase`: git's credential helper protocol
/// (gitcredentials(7)), answered by the running agent in one round trip. No Foundation, no argument
/// parser: git starts this program for every fetch and push.
enum Helper {
    static func main(_ arguments: [String]) -> Int32 {
        var vault: String?
        var prompt = false
        var action: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--prompt": prompt = true
            case "--vault":
                guard let value = rest.popFirst() else { return usage("--vault needs a path") }
                vault = value
            case let flag where flag.hasPrefix("--vault="): vault = String(flag.dropFirst(8))
            case let flag where flag.hasPrefix("-"): return usage("unknown option '\(flag)'")
            default: action = action ?? argument
            }
        }
        // Unknown actions are ignored, as gitcredentials(7) asks of helpers.
        guard let action, ["get", "store", "erase"].contains(action) else { return 0 }
        let request: CredentialRequest
        do { request = try CredentialRequest.read(from: 0) } catch {
            return fail(error.message)
        }
        let socket = AgentSocket.path(forVault: VaultLocation.resolve(vault))
        switch action {
        case "get": return get(request, socket: socket, prompt: prompt, vault: vault)
        case "store": return send(.gitStore, request, socket: socket)
        default: return send(.gitErase, request, socket: socket)
        }
    }

    static func get(_ request: CredentialRequest, socket: String, prompt: Bool, vault: String?) -> Int32 {
        var message = query(.gitGet, request)
        if request.texts("capability[]").contains("authtype") { message.add(.capabilityAuthtype, true) }
        var reply: AgentMessage
        do {
            reply = try AgentClient(socketPath: socket).request(message)
        } catch .notRunning {
            guard prompt, unlockOnTerminal(vault: vault), let again = try? AgentClient(socketPath: socket).request(message) else {
                // Locked: no answer, so git tries its next helper or asks the user itself.
                if Terminal.isTerminal(2) { Output.stderr("coffer: hint: the vault is locked (no agent listens at \(socket)); run 'coffer unlock' to let git use it\n") }
                return 0
            }
            reply = again
        } catch {
            if Terminal.isTerminal(2) { Output.stderr("coffer: error: \(error)\n") }
            return 0
        }
        // The agent answers a credential for another scheme only to a request that can take one; checked here
        // too, so no agent of another version can make this helper send one unasked.
        if reply.has(GitAttribute.credential.wire) && !request.texts("capability[]").contains("authtype") { return 0 }
        return Output.answer(reply) ? 0 : fail("the stored credential cannot be passed to git (a value has a line break)")
    }

    /// The query fields, with secrets as ranges of the locked input.
    static func query(_ op: AgentOp, _ request: CredentialRequest) -> AgentMessageBuilder {
        var message = AgentMessageBuilder(op: op)
        let s = request.selector
        if let v = s.protocol { message.add(GitAttribute.protocol.wire, v) }
        if let v = s.host { message.add(GitAttribute.host.wire, v) }
        if let v = s.path { message.add(GitAttribute.path.wire, v) }
        if let v = s.username { message.add(GitAttribute.username.wire, v) }
        return message
    }

    /// `store` and `erase`: quietly nothing when the vault is locked, and never an `ephemeral` credential.
    static func send(_ op: AgentOp, _ request: CredentialRequest, socket: String) -> Int32 {
        // Every true of git's (`1` is what git sends); a value git would refuse counts as true, to be safe.
        if op == .gitStore, let ephemeral = request.text("ephemeral"), CredentialRequest.gitBool(ephemeral) ?? true { return 0 }
        var message = query(op, request)
        for secret in [GitAttribute.password, .oauthRefreshToken, .credential] {
            if let range = request.range(secret.git) { message.add(secret.wire, secret: Secret(slicing: request.buffer, range: range)) }
        }
        if let authtype = request.text(GitAttribute.authtype.git) { message.add(GitAttribute.authtype.wire, authtype) }
        if let expiry = request.text(GitAttribute.passwordExpiryUTC.git) { message.add(GitAttribute.passwordExpiryUTC.wire, expiry) }
        do {
            _ = try AgentClient(socketPath: socket).request(message)
        } catch .notRunning {
        } catch {
            if Terminal.isTerminal(2) { Output.stderr("coffer: error: \(error)\n") }
        }
        return 0
    }

    /// `--prompt`: runs `coffer unlock` on the terminal, when there is one and git allows prompting.
    static func unlockOnTerminal(vault: String?) -> Bool {
        if Environment.get("GIT_TERMINAL_PROMPT") == "0" || !Terminal.isAvailable { return false }
        let coffer = siblingCoffer()
        var argv = [coffer, "unlock"]
        if let vault { argv += ["--vault", vault] }
        // stdout is git's channel: coffer's own messages go to stderr.
        guard let pid = try? Spawn.start(argv, searchPath: true, actions: [.duplicate(2, to: 1)]) else { return false }
        return Spawn.wait(pid) == 0
    }

    /// The `coffer` installed beside this helper, else the one on PATH.
    static func siblingCoffer() -> String {
        let candidate = Environment.executableDirectory + "coffer"
        return Files.isExecutable(candidate) ? candidate : "coffer"
    }

    static func usage(_ message: String) -> Int32 {
        Output.stderr("coffer: error: \(message)\ncoffer: hint: usage: git-credential-coffer [--vault PATH] [--prompt] get|store|erase\n")
        return 2
    }

    static func fail(_ message: String) -> Int32 {
        Output.stderr("coffer: error: \(message)\n")
        return 1
    }
}

/// Writing git's answer: `key=value` lines on stdout.
enum Output {
    static func stderr(_ text: String) { write(2, text) }

    static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { raw(fd, UnsafeRawBufferPointer($0)) }
    }

    /// git reads the whole answer or none: nothing to do when its pipe is gone.
    static func raw(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        try? Files.writeAll(fd, bytes, path: "git")
    }

    /// Prints the agent's answer; false (and nothing printed) when a value could break the line format.
    static func answer(_ reply: AgentMessage) -> Bool {
        let credential = reply.has(GitAttribute.credential.wire)
        let attributes = credential ? GitAttribute.credentialAnswer : GitAttribute.passwordAnswer
        let present = attributes.compactMap { a in reply.range(a.wire).map { (a.git, $0) } }
        guard !present.isEmpty else { return true }
        let safe = reply.body.withUnsafeBytes { b in present.allSatisfy { !b[$0.1].contains(0x0A) && !b[$0.1].contains(0) } }
        guard safe else { return false }
        // One buffer in locked memory, one write: git reads the whole answer.
        var size = credential ? "capability[]=authtype\n".utf8.count : 0
        for (key, range) in present { size += key.utf8.count + 2 + range.count }
        guard let out = try? SecureBytes(count: size) else { return false }
        out.withUnsafeMutableBytes { o in
            var at = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                UnsafeMutableRawBufferPointer(rebasing: o[at..<(at + bytes.count)]).copyMemory(from: bytes)
                at += bytes.count
            }
            if credential { Array("capability[]=authtype\n".utf8).withUnsafeBytes(put) }
            reply.body.withUnsafeBytes { b in
                for (key, range) in present {
                    Array((key + "=").utf8).withUnsafeBytes(put)
                    put(UnsafeRawBufferPointer(rebasing: b[range]))
                    [UInt8(0x0A)].withUnsafeBytes(put)
                }
            }
        }
        out.withUnsafeBytes { raw(1, $0) }
        return true
    }
}
