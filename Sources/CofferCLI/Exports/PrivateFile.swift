import CofferSystem

/// Files that hold secrets outside the vault (auth.json, netrc): written atomically with mode 0600.
enum PrivateFile {
    /// Refuses a file that others can already read: writing secrets into it would publish them.
    static func checkNotExposed(_ path: String) throws {
        guard let status = FileStatus(path: path) else { return }
        if status.permissions & 0o077 != 0 {
            throw CLIError.failure("\(path) can be read by other users (mode \(String(status.permissions & 0o777, radix: 8))); not writing secrets into it",
                                   hint: "run chmod 600 \(path) first")
        }
    }

    /// Temporary file beside `path`, fsync, rename over it, fsync the directory.
    static func write(_ text: String, to path: String) throws {
        do {
            try Files.replace(path, with: Array(text.utf8))
        } catch {
            throw CLIError.failure("cannot write \(path): \(error.errno.text)")
        }
    }

    /// Overwrites a plaintext file with zeros, syncs, and deletes it (`import --remove-source`).
    static func shred(_ path: String) throws {
        do { try Files.shred(path) } catch {
            throw CLIError.failure("cannot remove \(path): \(error.errno.text)")
        }
    }
}
