import Glibc

/// Files that hold secrets outside the vault (auth.json, netrc): written atomically with mode 0600.
enum PrivateFile {
    /// Refuses a file that others can already read: writing secrets into it would publish them.
    static func checkNotExposed(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        if info.st_mode & 0o077 != 0 {
            throw CLIError.failure("\(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); not writing secrets into it",
                                   hint: "run chmod 600 \(path) first")
        }
    }

    /// Temporary file beside `path`, fsync, rename over it, fsync the directory.
    static func write(_ text: String, to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw CLIError.failure("cannot write \(path): \(String(cString: strerror(errno)).lowercased())") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer {
            close(fd)
            if !committed { unlink(temporary) }
        }
        fchmod(fd, 0o600)
        var text = text
        let ok = text.withUTF8 { buffer -> Bool in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return fsync(fd) == 0
        }
        guard ok, rename(temporary, path) == 0 else { throw CLIError.failure("cannot write \(path): \(String(cString: strerror(errno)).lowercased())") }
        committed = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Overwrites a plaintext file with zeros, syncs, and deletes it (`import --remove-source`).
    static func shred(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            let zeros = [UInt8](repeating: 0, count: 4096)
            var left = Int(info.st_size)
            while left > 0 {
                let n = zeros.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, min(left, 4096)) }
                if n <= 0 { break }
                left -= n
            }
            fsync(fd)
            close(fd)
        }
        guard unlink(path) == 0 else { throw CLIError.failure("cannot remove \(path): \(String(cString: strerror(errno)).lowercased())") }
    }
}
