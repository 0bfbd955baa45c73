import CofferCore
import CofferSodium
import CofferSystem

/// Reading passphrases and secrets into locked memory: from a file descriptor, a file, standard input, or
/// the terminal with echo off. Secrets never come from argv.
enum SecretInput {
    static let maxPassphraseBytes = 4096
    /// Tries for a passphrase typed at the terminal before a wrong one is the error.
    static let terminalTries = 3

    /// One line from `fd` (`LineReader`), its failures as the CLI reports them.
    static func readLine(fd: Int32, limit: Int, what: String) throws -> SecureBytes? {
        do {
            return try LineReader.readLine(fd: fd, limit: limit)
        } catch {
            throw inputError(error, what: what, limit: limit)
        }
    }

    static func inputError(_ error: LineFailure, what: String, limit: Int) -> CLIError {
        switch error {
        case .timedOut: .input("timed out reading the \(what)")
        case .tooLong: .input("the \(what) is longer than \(limit) bytes")
        case .system(let e): .input("cannot read the \(what): \(e.errno.text)")
        }
    }

    /// The passphrase from `--passphrase-fd`, `--passphrase-file`, or the terminal (confirmed when `confirm`).
    static func passphrase(fd: Int32?, file: String?, prompt: String, confirm: Bool) throws -> SecureBytes {
        if let fd {
            guard Files.isOpen(fd) else {
                throw CLIError.usage("--passphrase-fd \(fd) is not an open file descriptor")
            }
            // Read once and closed, so no child (`coffer exec`) inherits it; the standard streams stay.
            defer { if fd > 2 { Files.close(fd) } }
            return try nonEmpty(try readLine(fd: fd, limit: maxPassphraseBytes, what: "passphrase"), what: "passphrase")
        }
        if let file {
            let fd: Int32
            do { fd = try Files.openForReading(file) } catch {
                throw CLIError.input("cannot open the passphrase file \(file): \(error.errno.text)")
            }
            defer { Files.close(fd) }
            Console.warnIfExposed(file)
            return try nonEmpty(try readLine(fd: fd, limit: maxPassphraseBytes, what: "passphrase"), what: "passphrase")
        }
        let first = try readHidden(prompt: prompt, what: "passphrase")
        if confirm {
            let second = try readHidden(prompt: "Repeat passphrase: ", what: "passphrase")
            guard first.constantTimeEquals(second) else { throw CLIError.passphraseMismatch }
        }
        return try nonEmpty(first, what: "passphrase")
    }

    /// A secret value: the terminal with echo off when standard input is one, else the next line of stdin.
    static func secret(prompt: String, what: String, limit: Int = VaultFormat.maxSecretBytes) throws -> Secret {
        let bytes: SecureBytes?
        if Console.isTerminal(0) {
            bytes = try readHidden(prompt: prompt, what: what)
        } else {
            bytes = try readLine(fd: 0, limit: limit, what: what)
        }
        let secret = Secret(try nonEmpty(bytes, what: what))
        guard secret.isPrintableText else {
            throw CLIError.input("the \(what) must be UTF-8 text without control characters")
        }
        return secret
    }

    /// A line from the terminal with echo off.
    static func readHidden(prompt: String, what: String) throws -> SecureBytes {
        do {
            return try Terminal.readHiddenLine(prompt: prompt, limit: maxPassphraseBytes)
        } catch {
            switch error {
            case .noTerminal: throw CLIError.noTerminal(what)
            // Ctrl-D: an empty answer, as a shell's `read` takes it; Ctrl-C is the interruption (130).
            case .endOfInput: throw CLIError.input("the \(what) is empty")
            case .read(let failure): throw inputError(failure, what: what, limit: maxPassphraseBytes)
            }
        }
    }

    private static func nonEmpty(_ bytes: SecureBytes?, what: String) throws -> SecureBytes {
        guard let bytes, bytes.count > 0 else {
            throw CLIError.input("the \(what) is empty", hint: Console.isTerminal(0) ? nil : "pass it as one line on standard input")
        }
        return bytes
    }
}
