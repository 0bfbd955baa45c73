import Glibc

/// Where a vault's agent listens (`Formats/agent-protocol.md` §1): one socket per vault, in a directory
/// only the user can enter.
public enum AgentSocket {
    /// `$COFFER_AGENT_SOCK`, else `DIR/agent-HASH.sock` with DIR from `directory()` and HASH the FNV-1a
    /// 64-bit hash of the vault's resolved path, so each vault has its own agent.
    public static func path(forVault vault: String) -> String {
        if let override = env("COFFER_AGENT_SOCK"), !override.isEmpty { return override }
        return directory() + "/agent-" + hex(fnv1a(resolved(vault))) + ".sock"
    }

    /// `$XDG_RUNTIME_DIR/coffer`, else `/tmp/coffer-UID`.
    public static func directory() -> String {
        if let runtime = env("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") { return runtime + "/coffer" }
        return "/tmp/coffer-\(geteuid())"
    }

    /// Checks (and with `create`, makes) the socket's directory: a directory, owned by this user, mode 0700.
    public static func checkDirectory(of socket: String, create: Bool) throws(AgentError) {
        let dir = parent(socket)
        if create && mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw .io(operation: "create directory", path: dir, errno: errno)
        }
        var info = stat()
        guard lstat(dir, &info) == 0 else {
            if errno == ENOENT { throw .notRunning }
            throw .io(operation: "stat", path: dir, errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .insecureDirectory(path: dir, why: "not a directory") }
        guard info.st_uid == geteuid() else { throw .insecureDirectory(path: dir, why: "owned by uid \(info.st_uid)") }
        guard info.st_mode & 0o077 == 0 else {
            throw .insecureDirectory(path: dir, why: "mode \(String(info.st_mode & 0o777, radix: 8)), not 700")
        }
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// The vault path as the agent and its socket name know it: absolute, symlinks resolved.
    public static func absolute(_ path: String) -> String { resolved(path) }

    /// The absolute, symlink-free path of the vault (or of its directory, when the file does not exist yet).
    static func resolved(_ path: String) -> String {
        if let full = realpath(path, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
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

    /// Fills a `sockaddr_un` for `path` and lends it to `body`; paths longer than `sun_path` are refused.
    public static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(AgentError) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .io(operation: "use socket path", path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
