import CofferSystem

/// A vault file on disk: reading, the advisory write lock, and atomic replacement (spec §7).
public struct VaultStore: Sendable {
    /// The file read and replaced: a symbolic link's target (resolved once, here), so the link stays and
    /// the real file — in a synced folder, say — gets every write; its lock, backup and temporaries sit
    /// beside the target.
    public let path: String

    public init(path: String) {
        let isLink = FileStatus(path: path, followLinks: false)?.isSymbolicLink ?? false
        self.path = isLink ? (Files.realPath(path) ?? path) : path
    }

    /// The sibling file `flock` is taken on; a lock on the vault itself would be lost at each rename.
    public var lockPath: String { path + ".lock" }
    /// The previous generation, kept on every write.
    public var backupPath: String { path + ".bak" }
    public var directory: String { Files.directory(of: path) }

    public var exists: Bool { Files.exists(path) }

    /// The file's permission bits, when it exists.
    public var mode: UInt32? { FileStatus(path: path).map { UInt32($0.permissions) } }

    /// Reads the whole file, refusing sizes no vault can have before allocating for them.
    public func read() throws(VaultError) -> [UInt8] { try readWithIdentity().bytes }

    /// The file, and the identity of what was read (from the open descriptor, so the two agree): a later
    /// `identity` that differs means another writer replaced the file since.
    public func readWithIdentity() throws(VaultError) -> (bytes: [UInt8], identity: FileIdentity) {
        do {
            let (bytes, status) = try Files.read(path, limit: VaultFormat.maxFileBytes)
            return (bytes, FileIdentity(status))
        } catch where error.errno == .noSuchFileOrDirectory {
            throw .vaultNotFound(path)
        } catch where error.errno == .fileTooLarge {
            throw .fileTooLarge(FileStatus(path: path)?.size ?? VaultFormat.maxFileBytes + 1)
        } catch {
            throw .system(error)
        }
    }

    /// The identity of the file at `path` now; nil when there is none.
    public var identity: FileIdentity? { FileStatus(path: path).map(FileIdentity.init) }

    /// Runs `body` holding an exclusive `flock` on the lock file, so read-modify-write cycles of several
    /// processes follow one another instead of losing each other's changes.
    /// `waitSeconds`: how long to wait for another writer (default `lockWaitSeconds`); 0 tries once.
    public func withLock<R, E: Error>(waitSeconds: Int? = nil, _ body: () throws(E) -> R) throws(VaultError) -> Result<R, E> {
        let lock: FileLock
        let wait = waitSeconds ?? VaultStore.lockWaitSeconds
        do { lock = try FileLock(exclusive: lockPath, waitMilliseconds: wait * 1000) } catch {
            switch error.errno {
            case .wouldBlock: throw .lockBusy(lockPath, seconds: wait)
            case .notPermitted, .tooManySymbolicLinkLevels: throw .lockUntrusted(lockPath)
            default: throw .system(error)
            }
        }
        defer { withExtendedLifetime(lock) {} }
        return Result { () throws(E) in try body() }
    }

    /// How long a writer waits for another one: `COFFER_LOCK_WAIT` seconds (0 to 3600), else 30.
    public static var lockWaitSeconds: Int {
        guard let text = Environment.get("COFFER_LOCK_WAIT"), let seconds = Int(text), (0...3600).contains(seconds) else { return 30 }
        return seconds
    }

    /// Creates the vault's directory (mode 0700) and any missing parents.
    public func createDirectory() throws(VaultError) {
        do { try Files.createDirectories(directory, mode: 0o700) } catch { throw .system(error) }
    }

    /// Replaces the vault atomically: write a temporary file in the same directory, fsync it, keep the
    /// current file as the backup, rename the new one over it, fsync the directory. A crash at any point
    /// leaves either the old or the new vault whole.
    public func write(_ bytes: [UInt8]) throws(VaultError) {
        removeStaleTemporaries()
        do {
            try Files.replace(path, with: bytes) { () throws(SystemError) in if exists { try keepBackup() } }
        } catch {
            throw .system(error)
        }
    }

    /// Temporary files a killed writer left (`VAULT.tmp-XXXXXX`, `VAULT.bak.tmp`). Every writer makes and
    /// renames or removes its temporary while it holds the vault's lock, and this runs under that lock, so
    /// any such file now is stale. Best effort: a name that cannot be removed is left for the next write.
    private func removeStaleTemporaries() {
        let base = Files.baseName(path)
        for name in Files.names(in: directory) {
            let suffix = name.dropFirst(base.count)
            guard name.hasPrefix(base), (suffix.hasPrefix(".tmp-") && suffix.count == 11) || suffix == ".bak.tmp" else { continue }
            try? Files.remove(directory + "/" + name)
        }
    }

    /// The current file becomes `.bak`: a hard link where the file system allows it, else a copy.
    private func keepBackup() throws(SystemError) {
        let staging = backupPath + ".tmp"
        try Files.remove(staging)
        if Files.link(path, to: staging) {
            // The backup has the new vault's mode (0600), whatever the old file had: a vault once left
            // readable to others does not stay so as its backup. (The link is the current file's inode,
            // which the rename below replaces anyway.)
            try Files.setMode(staging, 0o600)
        } else {
            let current = try Files.read(path, limit: VaultFormat.maxFileBytes).bytes
            let fd = try Files.createExclusive(staging)
            defer { Files.close(fd) }
            try Files.writeAll(fd, current, path: staging)
            try Files.sync(fd, path: staging)
        }
        try Files.rename(staging, to: backupPath)
    }
}

/// Enough of `stat` to notice that a file was replaced or rewritten: every writer renames a new file into
/// place (a new inode) and a rewrite in place changes the size or modification time.
public struct FileIdentity: Equatable, Sendable {
    let status: FileStatus

    init(_ status: FileStatus) { self.status = status }

    public static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.status.device == b.status.device && a.status.inode == b.status.inode && a.status.size == b.status.size
            && a.status.modifiedSeconds == b.status.modifiedSeconds && a.status.modifiedNanoseconds == b.status.modifiedNanoseconds
    }
}
