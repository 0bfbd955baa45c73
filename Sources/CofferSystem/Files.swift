import CSystemShims
import CofferSodium
import Glibc

/// Whole-file reads and writes, atomic replacement and the other file operations Coffer makes, each with
/// its result checked and `EINTR` retried.
public enum Files {
    /// The file's bytes; a file larger than `limit` is refused with `tooLarge` before it is read.
    public static func read(_ path: String, limit: Int) throws(SystemError) -> (bytes: [UInt8], status: FileStatus) {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        let status = try FileStatus(fd: fd, path: path)
        guard status.size <= limit else { throw SystemError("read", path, .fileTooLarge) }
        var bytes = [UInt8](repeating: 0, count: status.size)
        let count = try bytes.withMutableBytes { (b) throws(SystemError) in try readFully(fd, b, path: path) }
        return (Array(bytes[0..<count]), status)
    }

    /// At most `limit` bytes of a small secret file (a key file) into locked memory.
    public static func readSecret(_ path: String, limit: Int, what: String) throws(SystemError) -> SecureBytes {
        let fd = try open(path, O_RDONLY, what: what)
        defer { close(fd) }
        let buffer: SecureBytes
        do { buffer = try SecureBytes(count: limit) } catch { throw SystemError("allocate memory for", path, .noMemory) }
        let count = try buffer.withUnsafeMutableBytes { (b) throws(SystemError) in try readFully(fd, b, path: path) }
        do {
            return try buffer.withUnsafeBytes { (b) throws(SodiumError) in
                try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: b[0..<count]))
            }
        } catch { throw SystemError("allocate memory for", path, .noMemory) }
    }

    /// Opens with close-on-exec always set; `what` names the file in the error ("the key file").
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600, what: String? = nil) throws(SystemError) -> Int32 {
        try systemCall("open", what.map { "\($0) \(path)" } ?? path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// A new file for writing, mode `mode`; an existing one is `fileExists`, never overwritten.
    public static func createExclusive(_ path: String, mode: mode_t = 0o600, what: String? = nil) throws(SystemError) -> Int32 {
        try open(path, O_WRONLY | O_CREAT | O_EXCL, mode: mode, what: what)
    }

    /// Opens for reading.
    public static func openForReading(_ path: String, what: String? = nil) throws(SystemError) -> Int32 {
        try open(path, O_RDONLY, what: what)
    }

    /// Opens for appending, creating it (0600) when missing.
    public static func openForAppending(_ path: String) throws(SystemError) -> Int32 {
        try open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
    }

    /// Closes a descriptor this process owns (its result carries nothing to act on).
    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// One `read`, `EINTR` retried: the bytes read, 0 at end of input.
    public static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        retryingInterrupts { Glibc.read(fd, buffer.baseAddress!, buffer.count) }
    }

    /// Reads until `buffer` is full or the input ends; returns the count read.
    public static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String) throws(SystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try systemCall("read", path) { Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes every byte; a short write is continued, an error thrown.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            done += try systemCall("write to", path) { Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) }
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        try bytes.withBytes { (b) throws(SystemError) in try writeAll(fd, b, path: path) }
    }

    public static func sync(_ fd: Int32, path: String) throws(SystemError) {
        try systemCall("sync", path) { fsync(fd) }
    }

    /// fsync of a directory, so a rename in it is durable.
    public static func syncDirectory(_ directory: String) throws(SystemError) {
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: directory)
    }

    /// A new file beside `path` (`PATH.tmp-XXXXXX`), mode 0600: its descriptor and name.
    public static func temporary(beside path: String) throws(SystemError) -> (fd: Int32, path: String) {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = try systemCall("create a temporary file beside", path) {
            template.withUnsafeMutableBufferPointer { coffer_mkstemp_cloexec($0.baseAddress!) }
        }
        let name = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(SystemError) {
            try systemCall("chmod", name) { fchmod(fd, 0o600) }
        } catch {
            close(fd)
            unlink(name)
            throw error
        }
        return (fd, name)
    }

    /// Replaces `path` atomically with `bytes` (mode 0600): a temporary file in the same directory, fsync,
    /// `beforeRename` (a backup of the old file, say), rename over `path`, fsync of the directory. A crash at
    /// any point leaves either the old or the new file whole; a failure removes the temporary file.
    public static func replace(_ path: String, with bytes: [UInt8], beforeRename: () throws(SystemError) -> Void = {}) throws(SystemError) {
        let (fd, temporary) = try Files.temporary(beside: path)
        var committed = false
        defer {
            close(fd)
            if !committed { try? remove(temporary) }
        }
        try writeAll(fd, bytes, path: temporary)
        try sync(fd, path: temporary)
        try beforeRename()
        try rename(temporary, to: path)
        committed = true
        try syncDirectory(directory(of: path))
    }

    /// A sealed anonymous memory file holding `bytes`, inherited by child processes (no close-on-exec) and
    /// readable by them as `/dev/fd/N`: it is on no file system, so nothing is left behind however this
    /// process ends, and it is gone once the last process holding it exits. The caller closes it.
    public static func memoryFile(named name: String, _ bytes: [UInt8]) throws(SystemError) -> Int32 {
        let fd = try systemCall("create a memory file for", name) { coffer_memfd(name) }
        do throws(SystemError) {
            try writeAll(fd, bytes, path: name)
            try systemCall("seal the memory file for", name) { coffer_memfd_seal(fd) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    public static func names(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Sets a file's permission bits.
    public static func setMode(_ path: String, _ mode: mode_t) throws(SystemError) {
        try systemCall("chmod", path) { chmod(path, mode) }
    }

    public static func rename(_ from: String, to: String) throws(SystemError) {
        try systemCall("rename", to) { Glibc.rename(from, to) }
    }

    /// Removes a file; one that is not there is not an error.
    public static func remove(_ path: String) throws(SystemError) {
        if case .failure(let code) = retryingInterrupts({ unlink(path) }), code != .noSuchFileOrDirectory {
            throw SystemError("remove", path, code)
        }
    }

    public static func link(_ from: String, to: String) -> Bool {
        if case .success = retryingInterrupts({ Glibc.link(from, to) }) { return true }
        return false
    }

    public static func exists(_ path: String) -> Bool { FileStatus(path: path) != nil }

    /// The last component of `path`.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The directory part of `path` (`.` when it has none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` and any missing parents, each created with `mode`.
    public static func createDirectories(_ path: String, mode: mode_t) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if case .failure(let code) = retryingInterrupts({ mkdir(prefix, mode) }), code != .fileExists {
                throw SystemError("create directory", prefix, code)
            }
        }
    }

    /// The absolute, symlink-free form of `path`, or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let full = realpath(path, nil) else { return nil }
        defer { free(full) }
        return String(cString: full)
    }

    /// The working directory.
    public static var currentDirectory: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the current user may execute `path`.
    public static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }
}

/// The fields of `stat` Coffer reads.
public struct FileStatus: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int
    public let mode: mode_t
    public let owner: uid_t
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        mode = info.st_mode
        owner = info.st_uid
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }

    /// `stat`, or with `followLinks: false` `lstat`; nil when there is nothing at `path`.
    public init?(path: String, followLinks: Bool = true) {
        var info = stat()
        let result = retryingInterrupts { followLinks ? stat(path, &info) : lstat(path, &info) }
        guard case .success = result else { return nil }
        self.init(info)
    }

    public init(fd: Int32, path: String) throws(SystemError) {
        var info = stat()
        try systemCall("stat", path) { fstat(fd, &info) }
        self.init(info)
    }

    public var permissions: mode_t { mode & 0o7777 }
    public var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
    public var isSymbolicLink: Bool { mode & S_IFMT == S_IFLNK }
}

/// An exclusive `flock` on a file, held until this goes away.
public final class FileLock {
    private let fd: Int32

    /// Waits at most `waitMilliseconds` for the lock; creates the lock file (0600) when missing. The file is
    /// opened without following a symbolic link (`ELOOP`) and must be a regular file of this user (else
    /// `EPERM`): in a shared directory another user's planted link or lock file could otherwise choose
    /// where Coffer creates a file, or block every writer. A lock still held after the wait is `EWOULDBLOCK`.
    public init(exclusive path: String, waitMilliseconds: Int) throws(SystemError) {
        fd = try Files.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
        do throws(SystemError) {
            let status = try FileStatus(fd: fd, path: path)
            guard status.mode & S_IFMT == S_IFREG, status.owner == geteuid() else { throw SystemError("use the lock file", path, .notPermitted) }
            let deadline = MonotonicClock.milliseconds() + waitMilliseconds
            while true {
                guard case .failure(let code) = retryingInterrupts({ flock(fd, LOCK_EX | LOCK_NB) }) else { break }
                guard code == .wouldBlock || code == .resourceTemporarilyUnavailable else { throw SystemError("lock", path, code) }
                guard MonotonicClock.milliseconds() < deadline else { throw SystemError("lock", path, .wouldBlock) }
                Process.sleep(milliseconds: 20)
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }
}

extension Files {
    /// Whether `fd` is an open descriptor of this process.
    public static func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) != -1 }

    /// Overwrites a file with zeros, syncs, and removes it (a plaintext file whose contents moved into
    /// the vault).
    public static func shred(_ path: String) throws(SystemError) {
        guard let status = FileStatus(path: path) else { return }
        if let fd = try? open(path, O_WRONLY) {
            let zeros = [UInt8](repeating: 0, count: 4096)
            var left = status.size
            while left > 0 {
                let chunk = min(left, zeros.count)
                guard (try? writeAll(fd, Array(zeros[0..<chunk]), path: path)) != nil else { break }
                left -= chunk
            }
            try? sync(fd, path: path)
            close(fd)
        }
        try remove(path)
    }
}
