import CofferCore
import CofferSodium
import Glibc

/// Reading passphrases and secrets into locked memory: from a file descriptor, a file, standard input, or
/// the terminal with echo off. Secrets never come from argv.
enum SecretInput {
    static let maxPassphraseBytes = 4096

    /// Reads one line (without `\n` or `\r\n`) from `fd`, a byte at a time so nothing after the line is
    /// consumed. Returns nil at end of input before any byte.
    static func readLine(fd: Int32, limit: Int, what: String) throws -> SecureBytes? {
        let buffer = try SecureBytes(count: limit + 1)
        var count = 0
        var sawAny = false
        try buffer.withUnsafeMutableBytes { (raw) throws in
            while count <= limit {
                let n = read(fd, raw.baseAddress! + count, 1)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        // A non-blocking descriptor: wait for data, but not forever.
                        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                        if poll(&p, 1, 30_000) > 0 { continue }
                        throw CLIError.input("timed out reading the \(what)")
                    }
                    throw CLIError.input("cannot read the \(what): \(String(cString: strerror(errno)).lowercased())")
                }
                if n == 0 { break }
                sawAny = true
                if raw[count] == 0x0A { raw[count] = 0; break }
                count += 1
            }
        }
        guard count <= limit else { throw CLIError.input("the \(what) is longer than \(limit) bytes") }
        guard sawAny else { return nil }
        let hasCR = count > 0 && buffer.withUnsafeBytes { $0[count - 1] } == 0x0D
        let length = hasCR ? count - 1 : count
        return try buffer.withUnsafeBytes { try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// The passphrase from `--passphrase-fd`, `--passphrase-file`, or the terminal (confirmed when `confirm`).
    static func passphrase(fd: Int32?, file: String?, prompt: String, confirm: Bool) throws -> SecureBytes {
        if let fd {
            guard fcntl(fd, F_GETFD) != -1 else {
                throw CLIError.usage("--passphrase-fd \(fd) is not an open file descriptor")
            }
            return try nonEmpty(try readLine(fd: fd, limit: maxPassphraseBytes, what: "passphrase"), what: "passphrase")
        }
        if let file {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw CLIError.input("cannot open the passphrase file \(file): \(String(cString: strerror(errno)).lowercased())")
            }
            defer { close(fd) }
            return try nonEmpty(try readLine(fd: fd, limit: maxPassphraseBytes, what: "passphrase"), what: "passphrase")
        }
        let first = try Terminal.readHidden(prompt: prompt, what: "passphrase")
        if confirm {
            let second = try Terminal.readHidden(prompt: "Repeat passphrase: ", what: "passphrase")
            guard first.constantTimeEquals(second) else { throw CLIError.passphraseMismatch }
        }
        return try nonEmpty(first, what: "passphrase")
    }

    /// A secret value: the terminal with echo off when standard input is one, else the next line of stdin.
    static func secret(prompt: String, what: String, limit: Int = VaultFormat.maxSecretBytes) throws -> Secret {
        let bytes: SecureBytes?
        if Console.isTerminal(0) {
            bytes = try Terminal.readHidden(prompt: prompt, what: what)
        } else {
            bytes = try readLine(fd: 0, limit: limit, what: what)
        }
        let secret = Secret(try nonEmpty(bytes, what: what))
        guard secret.isPrintableText else {
            throw CLIError.input("the \(what) must be UTF-8 text without control characters")
        }
        return secret
    }

    private static func nonEmpty(_ bytes: SecureBytes?, what: String) throws -> SecureBytes {
        guard let bytes, bytes.count > 0 else {
            throw CLIError.input("the \(what) is empty", hint: Console.isTerminal(0) ? nil : "pass it as one line on standard input")
        }
        return bytes
    }
}

/// No-echo reading from the controlling terminal.
enum Terminal {
    /// The terminal settings to restore if a signal arrives while echo is off.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedFD: Int32 = -1

    /// Whether there is a controlling terminal to prompt on.
    static var isAvailable: Bool {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    static func readHidden(prompt: String, what: String) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.noTerminal(what) }
        defer { close(fd) }
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { throw CLIError.noTerminal(what) }
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ICANON)
        saved = original
        savedFD = fd
        let restoreOnSignal: @convention(c) (Int32) -> Void = { signal in
            if Terminal.savedFD >= 0 { tcsetattr(Terminal.savedFD, TCSAFLUSH, &Terminal.saved) }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        let previous = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { ($0, signal($0, restoreOnSignal)) }
        defer {
            tcsetattr(fd, TCSAFLUSH, &original)
            savedFD = -1
            for (sig, handler) in previous { signal(sig, handler) }
            Console.write(fd, "\n")
        }
        Console.write(fd, prompt)
        tcsetattr(fd, TCSAFLUSH, &quiet)
        guard let line = try SecretInput.readLine(fd: fd, limit: SecretInput.maxPassphraseBytes, what: what) else {
            throw CLIError.interrupted
        }
        return line
    }
}
