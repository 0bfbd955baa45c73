import Glibc

/// The process environment and where this executable is: read once, in one place.
public enum Environment {
    /// `$NAME`, or nil when unset.
    public static func get(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Every `NAME=value` pair, for a child's environment.
    public static var all: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") { result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
            cursor += 1
        }
        return result
    }

    /// `$HOME`, else the user's entry in the password database, else `/`.
    public static var home: String {
        if let home = get("HOME"), !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    /// The running executable's absolute path (`/proc/self/exe`), read once.
    public static let executablePath: String = {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let n = readlink("/proc/self/exe", &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : CommandLine.arguments[0]
    }()

    /// The directory of `executablePath`, with a trailing `/`.
    public static var executableDirectory: String {
        guard let slash = executablePath.lastIndex(of: "/") else { return "./" }
        return String(executablePath[...slash])
    }
}

/// This process's identity.
public enum Process {
    public static var id: Int32 { getpid() }
    public static var effectiveUID: UInt32 { geteuid() }
}
