import CofferCore
import CofferSodium
import CofferSystem

/// Reading and writing key files on disk.
enum KeyFileIO {
    static func read(_ path: String) throws -> KeyFile {
        // One byte more than a key file holds, so an overlong file reaches KeyFile's own length check.
        let contents: SecureBytes
        do { contents = try Files.readSecret(path, limit: KeyFile.fileBytes + 1, what: "the key file") } catch {
            throw CLIError.input("cannot open the key file \(path): \(error.errno.text)")
        }
        Console.warnIfExposed(path)
        return try contents.withUnsafeBytes { (b) throws(VaultError) in try KeyFile(contents: b) }
    }

    /// Writes a new key file with mode 0600; refuses to overwrite anything.
    static func write(_ keyFile: KeyFile, to path: String) throws {
        let contents = try keyFile.contents()
        let fd: Int32
        do { fd = try Files.createExclusive(path) } catch {
            if error.errno == .fileExists { throw CLIError.exists("\(path) already exists", hint: "coffer never overwrites a key file; choose another path") }
            throw CLIError.failure("cannot create the key file \(path): \(error.errno.text)")
        }
        defer { Files.close(fd) }
        do {
            try contents.withUnsafeBytes { (b) throws(SystemError) in try Files.writeAll(fd, b, path: path) }
            try Files.sync(fd, path: path)
        } catch {
            // A partial key file is useless, and would make the retry say "already exists".
            try? Files.remove(path)
            throw CLIError.failure("cannot write the key file \(path): \(error.errno.text)")
        }
    }
}
