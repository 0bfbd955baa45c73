import CofferSodium
import Glibc

/// The controlling terminal, and reading one line from a descriptor into locked memory.
public enum Terminal {
    /// The terminal settings to restore if a signal arrives while echo is off.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedFD: Int32 = -1

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Whether there is a controlling terminal to prompt on.
    public static var isAvailable: Bool {
        guard let fd = try? Files.open("/dev/tty", O_RDWR | O_NOCTTY) else { return false }
        Files.close(fd)
        return true
    }

    /// What reading a hidden line can end in, besides a line.
    public enum Failure: Error {
        /// No controlling terminal, or it cannot be put into no-echo mode.
        case noTerminal
        /// End of input before a line: the user pressed Ctrl-D.
        case endOfInput
        case read(LineFailure)
    }

    /// Writes `prompt` to the terminal and reads one line with echo off, restoring the terminal however it
    /// ends (a signal too). At most `limit` bytes.
    public static func readHiddenLine(prompt: String, limit: Int) throws(Failure) -> SecureBytes {
        let fd: Int32
        do { fd = try Files.open("/dev/tty", O_RDWR | O_NOCTTY) } catch { throw .noTerminal }
        defer { Files.close(fd) }
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { throw .noTerminal }
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
            try? Files.writeAll(fd, Array("\n".utf8), path: "/dev/tty")
        }
        // Echo off (and what was typed ahead discarded) before the prompt shows: an answer typed as soon
        // as it appears, by a person or by expect(1), is never flushed.
        tcsetattr(fd, TCSAFLUSH, &quiet)
        try? Files.writeAll(fd, Array(prompt.utf8), path: "/dev/tty")
        let line: SecureBytes?
        do { line = try LineReader.readLine(fd: fd, limit: limit) } catch { throw .read(error) }
        guard let line else { throw .endOfInput }
        return line
    }
}

extension Terminal {
    /// One line on the controlling terminal (where the prompts are), if there is one.
    public static func say(_ line: String) {
        guard let fd = try? Files.open("/dev/tty", O_WRONLY | O_NOCTTY) else { return }
        defer { Files.close(fd) }
        try? Files.writeAll(fd, Array((line + "\n").utf8), path: "/dev/tty")
    }

    /// Asks a yes/no question on the terminal (echo on); true only for `y` or `yes`. Nil without a terminal.
    public static func confirm(_ question: String) -> Bool? {
        guard let fd = try? Files.open("/dev/tty", O_RDWR | O_NOCTTY) else { return nil }
        defer { Files.close(fd) }
        try? Files.writeAll(fd, Array((question + " [y/N] ").utf8), path: "/dev/tty")
        guard let line = (try? LineReader.readLine(fd: fd, limit: 64)) ?? nil else { return false }
        let answer = line.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }.lowercased()
        return answer == "y" || answer == "yes"
    }
}

/// Why a line could not be read.
public enum LineFailure: Error {
    case timedOut
    case tooLong
    case system(SystemError)
}

public enum LineReader {
    /// How long a non-blocking descriptor may keep a reader waiting for the rest of a line.
    public static let timeoutMilliseconds = 30_000

    /// Reads one line (without `\n` or `\r\n`) from `fd` into locked memory, a byte at a time so nothing
    /// after the line is consumed. Nil at end of input before any byte.
    public static func readLine(fd: Int32, limit: Int) throws(LineFailure) -> SecureBytes? {
        let buffer: SecureBytes
        do { buffer = try SecureBytes(count: limit + 1) } catch { throw .system(SystemError("allocate memory for", "a line", .noMemory)) }
        var count = 0
        var sawAny = false
        try buffer.withUnsafeMutableBytes { (raw) throws(LineFailure) in
            while count <= limit {
                switch retryingInterrupts({ read(fd, raw.baseAddress! + count, 1) }) {
                case .failure(let code) where code == .resourceTemporarilyUnavailable:
                    // A non-blocking descriptor: wait for data, but not forever.
                    let ready = (try? Poll.wait([(fd, .readable)], milliseconds: timeoutMilliseconds)) ?? [[]]
                    if ready[0].isEmpty { throw .timedOut }
                    continue
                case .failure(let code): throw .system(SystemError("read", "the input", code))
                case .success(0): return
                case .success: break
                }
                sawAny = true
                if raw[count] == 0x0A { raw[count] = 0; return }
                count += 1
            }
        }
        guard count <= limit else { throw .tooLong }
        guard sawAny else { return nil }
        let hasCR = count > 0 && buffer.withUnsafeBytes { $0[count - 1] } == 0x0D
        let length = hasCR ? count - 1 : count
        do {
            return try buffer.withUnsafeBytes { (b) throws(SodiumError) in try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: b[0..<length])) }
        } catch { throw .system(SystemError("allocate memory for", "a line", .noMemory)) }
    }
}
