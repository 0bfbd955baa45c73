import CofferSystem

/// Writing to standard output and standard error without buffering surprises.
enum Console {
    static func out(_ text: String) { write(1, text + "\n") }
    static func error(_ message: String) { write(2, "coffer: error: \(message)\n") }
    static func hint(_ message: String) { write(2, "coffer: hint: \(message)\n") }
    static func warning(_ message: String) { write(2, "coffer: warning: \(message)\n") }
    static func note(_ message: String) { write(2, "coffer: note: \(message)\n") }
    /// What a slow step is doing (a KDF runs for a second or more), for a person watching: only when
    /// standard error is a terminal, so logs and transcripts stay as they were.
    static func progress(_ message: String) { if isTerminal(2) { write(2, message + "\n") } }

    /// The one warning for a file holding a secret (the vault, a passphrase file, a key file) that group or
    /// others may read: the file is still used, as ssh does for a world-readable config but not a key.
    static func warnIfExposed(_ path: String) {
        if let mode = FileStatus(path: path).map({ UInt32($0.permissions) }), mode & 0o077 != 0 {
            warning("\(path) can be read by other users (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
    }

    /// Whole, or as much as the stream takes: a closed stdout (`| head`) is not coffer's error to report.
    static func write(_ fd: Int32, _ text: String) {
        try? Files.writeAll(fd, Array(text.utf8), path: "the output")
    }

    static func isTerminal(_ fd: Int32) -> Bool { Terminal.isTerminal(fd) }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    static func table(_ rows: [[String]]) -> [String] {
        guard let width = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}

extension String {
    func padding(toLength length: Int, withPad pad: String, startingAt: Int) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }
}
