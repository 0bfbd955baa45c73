import CofferSystem

/// Where a vault's agent listens (`Formats/agent-protocol.md` §1): one socket per vault, in a directory
/// only the user can enter.
public enum AgentSocket {
    /// `$COFFER_AGENT_SOCK`, else `DIR/agent-HASH.sock` with DIR from `directory()` and HASH the FNV-1a
    /// 64-bit hash of the vault's resolved path, so each vault has its own agent.
    public static func path(forVault vault: String) -> String {
        if let override = Environment.get("COFFER_AGENT_SOCK"), !override.isEmpty { return override }
        return directory() + "/agent-" + hex(fnv1a(resolved(vault))) + ".sock"
    }

    /// `$XDG_RUNTIME_DIR/coffer`; without that variable, `/run/user/UID/coffer` when `/run/user/UID` is a
    /// directory of this user (the one a login session's XDG_RUNTIME_DIR names), so a cron job or `env -i`
    /// finds the agent the session started; else `/tmp/coffer-UID`.
    public static func directory() -> String {
        if let runtime = Environment.get("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") { return runtime + "/coffer" }
        let uid = Process.effectiveUID
        if let info = FileStatus(path: "/run/user/\(uid)", followLinks: false), info.isDirectory, info.owner == uid {
            return "/run/user/\(uid)/coffer"
        }
        return "/tmp/coffer-\(uid)"
    }

    /// Checks (and with `create`, makes) the socket's directory: a directory, owned by this user, mode 0700.
    public static func checkDirectory(of socket: String, create: Bool) throws(AgentError) {
        let dir = Files.directory(of: socket)
        if create {
            do { try Files.createDirectories(dir, mode: 0o700) } catch { throw .system(error) }
        }
        guard let info = FileStatus(path: dir, followLinks: false) else { throw .notRunning }
        guard info.isDirectory else { throw .insecureDirectory(path: dir, why: "not a directory") }
        guard info.owner == Process.effectiveUID else { throw .insecureDirectory(path: dir, why: "owned by uid \(info.owner)") }
        guard info.permissions & 0o077 == 0 else {
            throw .insecureDirectory(path: dir, why: "mode \(String(info.permissions & 0o777, radix: 8)), not 700")
        }
    }

    /// The vault path as the agent and its socket name know it: absolute, symlinks resolved.
    public static func absolute(_ path: String) -> String { resolved(path) }

    /// The absolute, symlink-free path of the vault (or of its directory, when the file does not exist yet).
    static func resolved(_ path: String) -> String {
        if let full = Files.realPath(path) { return full }
        if path.hasPrefix("/") { return path }
        guard let cwd = Files.currentDirectory else { return path }
        return cwd + "/" + path
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
