import CofferCore
import CofferSodium
import Glibc

/// Reading and writing key files on disk.
enum KeyFileIO {
    static func read(_ path: String) throws -> KeyFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError.input("cannot open the key file \(path): \(String(cString: strerror(errno)).lowercased())")
        }
        defer { close(fd) }
        // One byte more than a key file holds, so an overlong file is noticed.
        let buffer = try SecureBytes(count: KeyFile.fileBytes + 1)
        var count = 0
        try buffer.withUnsafeMutableBytes { raw in
            while count < raw.count {
                let n = Glibc.read(fd, raw.baseAddress! + count, raw.count - count)
                if n < 0 { if errno == EINTR { continue }; throw CLIError.input("cannot read the key file \(path)") }
                if n == 0 { break }
                count += n
            }
        }
        return try buffer.withUnsafeBytes { try KeyFile(contents: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Writes a new key file with mode 0600; refuses to overwrite anything.
    static func write(_ keyFile: KeyFile, to path: String) throws {
        let contents = try keyFile.contents()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            throw CLIError.failure("cannot create the key file \(path): \(String(cString: strerror(code)).lowercased())",
                                   hint: code == EEXIST ? "coffer never overwrites a key file; choose another path" : nil)
        }
        defer { close(fd) }
        try contents.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; throw CLIError.failure("cannot write the key file \(path)") }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw CLIError.failure("cannot sync the key file \(path)") }
    }
}
