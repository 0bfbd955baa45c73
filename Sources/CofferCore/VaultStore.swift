import Glibc

/// A vault file on disk: reading, the advisory write lock, and atomic replacement (spec §7).
public struct VaultStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The sibling file `flock` is taken on; a lock on the vault itself would be lost at each rename.
    public var lockPath: String { path + ".lock" }
    /// The previous generation, kept on every write.
    public var backupPath: String { path + ".bak" }
    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public var exists: Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The file's permission bits, when it exists.
    public var mode: mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// Reads the whole file, refusing sizes no vault can have before allocating for them.
    public func read() throws(VaultError) -> [UInt8] { try readWithIdentity().bytes }

    /// The file, and the identity of what was read (from the open descriptor, so the two agree): a later
    /// `identity` that differs means another writer replaced the file since.
    public func readWithIdentity() throws(VaultError) -> (bytes: [UInt8], identity: FileIdentity) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw .vaultNotFound(path) }
            throw .io(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        try syscall("stat", path) { fstat(fd, &info) }
        let identity = FileIdentity(info)
        guard Int(info.st_size) <= VaultFormat.maxFileBytes else { throw .fileTooLarge(Int(info.st_size)) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = try bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(VaultError) in
                    try syscall("read", path) { Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done) }
                }
            }.get()
            if n == 0 { break } // shrank while reading; the parser reports the truncation
            done += n
        }
        return (Array(bytes[0..<done]), identity)
    }

    /// The identity of the file at `path` now; nil when there is none.
    public var identity: FileIdentity? {
        var info = stat()
        return stat(path, &info) == 0 ? FileIdentity(info) : nil
    }

    /// Runs `body` holding an exclusive `flock` on the lock file, so read-modify-write cycles of several
    /// processes follow one another instead of losing each other's changes.
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(VaultError) -> Result<R, E> {
        let fd = try syscall("open", lockPath) { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        try syscall("lock", lockPath) { flock(fd, LOCK_EX) }
        return Result { () throws(E) in try body() }
    }

    /// Creates the vault's directory (mode 0700) and any missing parents.
    public func createDirectory() throws(VaultError) {
        var parts: [Substring] = []
        for part in directory.split(separator: "/", omittingEmptySubsequences: true) {
            parts.append(part)
            let prefix = (directory.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .io(operation: "create directory", path: prefix, errno: errno)
            }
        }
    }

    /// Replaces the vault atomically: write a temporary file in the same directory, fsync it, keep the
    /// current file as the backup, rename the new one over it, fsync the directory. A crash at any point
    /// leaves either the old or the new vault whole.
    public func write(_ bytes: [UInt8]) throws(VaultError) {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else { throw .io(operation: "create", path: temporary, errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var committed = false
        defer {
            close(fd)
            if !committed { unlink(temporary) }
        }
        try syscall("chmod", temporary) { fchmod(fd, 0o600) }
        var done = 0
        while done < bytes.count {
            let n = try bytes.withBytes { (buffer) throws(VaultError) in
                try syscall("write", temporary) { Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }
            }
            done += n
        }
        try syscall("fsync", temporary) { fsync(fd) }
        if exists { try keepBackup() }
        try syscall("rename", path) { rename(temporary, path) }
        committed = true
        try syncDirectory()
    }

    /// The current file becomes `.bak`: a hard link where the file system allows it, else a copy.
    private func keepBackup() throws(VaultError) {
        let staging = backupPath + ".tmp"
        unlink(staging)
        if link(path, staging) != 0 {
            let current = try read()
            let fd = try syscall("create", staging) { open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            defer { close(fd) }
            var done = 0
            while done < current.count {
                done += try current.withBytes { (b) throws(VaultError) in
                    try syscall("write", staging) { Glibc.write(fd, b.baseAddress! + done, b.count - done) }
                }
            }
            try syscall("fsync", staging) { fsync(fd) }
        }
        try syscall("rename", backupPath) { rename(staging, backupPath) }
    }

    private func syncDirectory() throws(VaultError) {
        let fd = try syscall("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try syscall("fsync", directory) { fsync(fd) }
    }
}

/// Enough of `stat` to notice that a file was replaced or rewritten: every writer renames a new file into
/// place (a new inode) and a rewrite in place changes the size or modification time.
public struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
