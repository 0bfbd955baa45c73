/// A JSON document (RFC 8259) as Coffer reads it: auth.json files, `COMPOSER_AUTH`, a repository's answer.
///
/// Numbers keep their text, so a document Coffer merges into is written back with its numbers as they were.
/// A member name that repeats keeps its last value, as composer's own reader (PHP's `json_decode`) does.
indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }

    /// Parses a whole document; nil when it is not exactly one JSON value (with optional whitespace).
    init?(parsing bytes: [UInt8]) {
        var parser = JSONParser(bytes: bytes)
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        guard parser.at == bytes.count else { return nil }
        self = value
    }

    init?(parsing text: String) { self.init(parsing: Array(text.utf8)) }
}

/// A strict recursive-descent reader; documents nest at most `maxDepth` deep, so a hostile file cannot
/// exhaust the stack.
private struct JSONParser {
    static let maxDepth = 128
    let bytes: [UInt8]
    var at = 0

    mutating func skipWhitespace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    mutating func value(depth: Int) -> JSONValue? {
        guard depth < JSONParser.maxDepth else { return nil }
        skipWhitespace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case 0x7B: return object(depth: depth)
        case 0x5B: return array(depth: depth)
        case 0x22: return string().map(JSONValue.string)
        case 0x74: return literal("true", .bool(true))
        case 0x66: return literal("false", .bool(false))
        case 0x6E: return literal("null", .null)
        default: return number()
        }
    }

    mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
        let w = Array(word.utf8)
        guard bytes.count - at >= w.count, bytes[at..<(at + w.count)].elementsEqual(w) else { return nil }
        at += w.count
        return value
    }

    mutating func object(depth: Int) -> JSONValue? {
        at += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if at < bytes.count, bytes[at] == 0x7D { at += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard at < bytes.count, bytes[at] == 0x22, let key = string() else { return nil }
            skipWhitespace()
            guard at < bytes.count, bytes[at] == 0x3A else { return nil }
            at += 1
            guard let value = value(depth: depth + 1) else { return nil }
            members[key] = value
            skipWhitespace()
            guard at < bytes.count else { return nil }
            if bytes[at] == 0x2C { at += 1; continue }
            if bytes[at] == 0x7D { at += 1; return .object(members) }
            return nil
        }
    }

    mutating func array(depth: Int) -> JSONValue? {
        at += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if at < bytes.count, bytes[at] == 0x5D { at += 1; return .array(elements) }
        while true {
            guard let value = value(depth: depth + 1) else { return nil }
            elements.append(value)
            skipWhitespace()
            guard at < bytes.count else { return nil }
            if bytes[at] == 0x2C { at += 1; continue }
            if bytes[at] == 0x5D { at += 1; return .array(elements) }
            return nil
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    mutating func number() -> JSONValue? {
        let start = at
        func digits() -> Int {
            let from = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            return at - from
        }
        if at < bytes.count, bytes[at] == 0x2D { at += 1 }
        guard at < bytes.count else { return nil }
        if bytes[at] == 0x30 { at += 1 } else if digits() == 0 { return nil }
        if at < bytes.count, bytes[at] == 0x2E {
            at += 1
            guard digits() > 0 else { return nil }
        }
        if at < bytes.count, bytes[at] == 0x65 || bytes[at] == 0x45 {
            at += 1
            if at < bytes.count, bytes[at] == 0x2B || bytes[at] == 0x2D { at += 1 }
            guard digits() > 0 else { return nil }
        }
        return .number(String(decoding: bytes[start..<at], as: UTF8.self))
    }

    /// A string's contents, escapes resolved; unpaired surrogates and raw control characters are refused.
    mutating func string() -> String? {
        at += 1
        var scalars = String.UnicodeScalarView()
        var run = at
        func flush() -> Bool {
            guard run < at else { return true }
            guard let text = String(validating: bytes[run..<at], as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            return true
        }
        while at < bytes.count {
            let b = bytes[at]
            if b == 0x22 {
                guard flush() else { return nil }
                at += 1
                return String(scalars)
            }
            if b < 0x20 { return nil }
            if b != 0x5C { at += 1; continue }
            guard flush() else { return nil }
            at += 1
            guard at < bytes.count else { return nil }
            let escape = bytes[at]
            at += 1
            switch escape {
            case 0x22: scalars.append("\"")
            case 0x5C: scalars.append("\\")
            case 0x2F: scalars.append("/")
            case 0x62: scalars.append("\u{08}")
            case 0x66: scalars.append("\u{0C}")
            case 0x6E: scalars.append("\n")
            case 0x72: scalars.append("\r")
            case 0x74: scalars.append("\t")
            case 0x75:
                guard var unit = hex4() else { return nil }
                if (0xD800...0xDBFF).contains(unit) {
                    guard bytes.count - at >= 6, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { return nil }
                    at += 2
                    guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(unit) {
                    return nil
                }
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                scalars.append(scalar)
            default: return nil
            }
            run = at
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard bytes.count - at >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
            at += 1
        }
        return value
    }
}
