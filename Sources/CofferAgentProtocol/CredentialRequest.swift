import CofferSodium
import CofferSystem

/// git's credential request as read from standard input (git-credential(1), "INPUT/OUTPUT FORMAT"):
/// `key=value` lines up to a blank line or end of input. The input sits in locked memory, since it may
/// hold a password; fields are ranges of it. Here rather than in the helper so the parser can be fuzzed.
public struct CredentialRequest {
    public static let maxLineBytes = 65535
    public static let maxInputBytes = 1 << 20

    public enum Failure: Error {
        case lineTooLong
        case nul
        case inputTooLarge
        case unreadable

        public var message: String {
            switch self {
            case .lineTooLong: "credential line longer than \(CredentialRequest.maxLineBytes) bytes"
            case .nul: "credential value contains a NUL byte"
            case .inputTooLarge: "credential input larger than \(CredentialRequest.maxInputBytes) bytes"
            case .unreadable: "cannot read the credential request"
            }
        }
    }

    public let buffer: SecureBytes
    /// In input order; array keys (`capability[]`, `wwwauth[]`, `state[]`) repeat.
    public let fields: [(key: String, value: Range<Int>)]

    /// Reads standard input (or `fd`) up to a blank line or end of input, then parses it.
    public static func read(from fd: Int32) throws(Failure) -> CredentialRequest {
        // Start small and double: locking a megabyte up front costs more than the whole lookup.
        guard var buffer = try? SecureBytes(count: 4096) else { throw .unreadable }
        var count = 0
        while true {
            if count == buffer.count {
                guard buffer.count <= maxInputBytes else { throw .inputTooLarge }
                guard let bigger = try? SecureBytes(count: buffer.count * 2) else { throw .unreadable }
                let used = count
                bigger.withUnsafeMutableBytes { to in
                    buffer.withUnsafeBytes { from in to.baseAddress!.copyMemory(from: from.baseAddress!, byteCount: used) }
                }
                buffer = bigger
            }
            // An Int out of the closure, not the Result: the generic closure would need the Result type's
            // metadata at run time, and building it scans every conformance of the binary (0.4 ms a call).
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                if case .success(let n) = Files.readSome(fd, UnsafeMutableRawBufferPointer(rebasing: raw[count...])) { return n }
                return -1
            }
            guard n >= 0 else { throw .unreadable }
            if n == 0 { break }
            count += n
            // A blank line ends the request (`\n` or, from a CRLF writer, `\r\n`); git may keep the pipe
            // open after it.
            let ended = buffer.withUnsafeBytes { b in CredentialRequest.endsWithBlankLine(b, count) }
            if ended { break }
        }
        return try parse(buffer, count: count)
    }

    /// The fields of the first `count` bytes of `buffer`, up to the first blank line.
    public static func parse(_ buffer: SecureBytes, count: Int) throws(Failure) -> CredentialRequest {
        guard count <= maxInputBytes, count <= buffer.count else { throw .inputTooLarge }
        var fields: [(String, Range<Int>)] = []
        try buffer.withUnsafeBytes { (b) throws(Failure) in
            var start = 0
            while start < count {
                var end = start
                while end < count && b[end] != 0x0A { end += 1 }
                guard end - start <= maxLineBytes else { throw .lineTooLong }
                var lineEnd = end
                if lineEnd > start && b[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd == start { break } // blank line: end of request
                let line = UnsafeRawBufferPointer(rebasing: b[start..<lineEnd])
                guard !line.contains(0) else { throw .nul }
                if let eq = line.firstIndex(of: 0x3D) {
                    let key = String(decoding: line[..<eq], as: UTF8.self)
                    fields.append((key, (start + eq + 1)..<lineEnd))
                }
                start = end + 1
            }
        }
        return CredentialRequest(buffer: buffer, fields: fields)
    }

    /// Whether the first `count` bytes end with a blank line: `\n` or `\r\n` alone, or after a line feed.
    public static func endsWithBlankLine(_ b: UnsafeRawBufferPointer, _ count: Int) -> Bool {
        guard count >= 1, b[count - 1] == 0x0A else { return false }
        var before = count - 1
        if before >= 1 && b[before - 1] == 0x0D { before -= 1 }
        return before == 0 || b[before - 1] == 0x0A
    }

    /// A boolean attribute (`ephemeral`, `quit`, `continue`) as git reads one (`git_parse_maybe_bool`):
    /// empty, `false`, `no`, `off` (any case) or `0` are false; `true`, `yes`, `on` or any other integer,
    /// with git's optional `k`/`m`/`g` unit, true; anything else nil (git itself refuses to send it).
    public static func gitBool(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "": return false
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            var digits = Substring(value)
            if let unit = digits.last, "kKmMgG".contains(unit) { digits = digits.dropLast() }
            if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return digits.contains { $0 != "0" }
        }
    }

    public func text(_ key: String) -> String? {
        guard let range = fields.last(where: { $0.key == key })?.value else { return nil }
        return buffer.withUnsafeBytes { String(decoding: $0[range], as: UTF8.self) }
    }

    public func texts(_ key: String) -> [String] {
        fields.filter { $0.key == key }.map { f in buffer.withUnsafeBytes { String(decoding: $0[f.value], as: UTF8.self) } }
    }

    public func range(_ key: String) -> Range<Int>? { fields.last(where: { $0.key == key })?.value }

    /// protocol, host, path and username, from the attributes or, failing those, from `url=`.
    public var selector: (protocol: String?, host: String?, path: String?, username: String?) {
        var result = (protocol: text("protocol"), host: text("host"), path: text("path"), username: text("username"))
        if let url = text("url"), let parsed = CredentialRequest.parse(url: url) {
            result.protocol = result.protocol ?? parsed.protocol
            result.host = result.host ?? parsed.host
            result.path = result.path ?? parsed.path
            result.username = result.username ?? parsed.username
        }
        return result
    }

    /// `protocol://[user[:password]@]host[:port][/path]`; the password part is ignored.
    public static func parse(url: String) -> (protocol: String, host: String, path: String?, username: String?)? {
        // Without Foundation: find "://" by hand.
        let chars = Array(url)
        guard let colon = (0..<max(0, chars.count - 2)).first(where: { chars[$0] == ":" && chars[$0 + 1] == "/" && chars[$0 + 2] == "/" }) else {
            return nil
        }
        let proto = String(chars[..<colon])
        var rest = Substring(String(chars[(colon + 3)...]))
        var path: String?
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            user = String(userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            rest = rest[rest.index(after: at)...]
        }
        return (proto, String(rest), path?.isEmpty == true ? nil : path, user.map(percentDecode))
    }

    public static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.first {
            utf8 = utf8.dropFirst()
            if b == 0x25, utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
