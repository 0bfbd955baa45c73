/// JSON text in the layout Coffer has always written (JSONSerialization's with `.sortedKeys` and
/// `.withoutEscapingSlashes`: two-space indent and `" : "` when pretty), keys sorted by their UTF-8 bytes, so a
/// vault gives the same text on every machine whatever its locale. (JSONSerialization itself sorted with a
/// locale-aware compare that built a locale per comparison: 75 ms of the 100 ms an export of 1,000 hosts took.)
enum JSONText {
    /// With `quotable`, compact text that fits between single quotes for every reader of env files:
    /// no `'`, `\\` or `$` (as `\u0027`, `\u005c`, `\u0024`), and ASCII only (`\uXXXX`, surrogate pairs above U+FFFF).
    /// The same document to a JSON parser.
    static func encode(_ value: JSONValue, pretty: Bool, quotable: Bool = false) -> String {
        var out = ""
        write(value, to: &out, pretty: pretty && !quotable, quotable: quotable, depth: 0)
        return out
    }

    private static func write(_ value: JSONValue, to out: inout String, pretty: Bool, quotable: Bool, depth: Int) {
        switch value {
        case .string(let text):
            writeString(text, to: &out, quotable: quotable)
        case .object(let object):
            let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            writeContainer(members, open: "{", close: "}", to: &out, pretty: pretty, depth: depth) { member, out in
                writeString(member.key, to: &out, quotable: quotable)
                out += pretty ? " : " : ":"
                write(member.value, to: &out, pretty: pretty, quotable: quotable, depth: depth + 1)
            }
        case .array(let array):
            writeContainer(array, open: "[", close: "]", to: &out, pretty: pretty, depth: depth) { element, out in
                write(element, to: &out, pretty: pretty, quotable: quotable, depth: depth + 1)
            }
        case .number(let text): out += text
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// Brackets, separators and, when pretty, one item a line; an empty container is `{\n\n}` there, as
    /// JSONSerialization writes it.
    private static func writeContainer<Item>(
        _ items: [Item], open: String, close: String, to out: inout String, pretty: Bool, depth: Int,
        item: (Item, inout String) -> Void
    ) {
        guard pretty else {
            out += open
            for (i, element) in items.enumerated() {
                if i > 0 { out += "," }
                item(element, &out)
            }
            out += close
            return
        }
        out += open + "\n"
        for (i, element) in items.enumerated() {
            if i > 0 { out += ",\n" }
            out += indent(depth + 1)
            item(element, &out)
        }
        out += "\n" + indent(depth) + close
    }

    private static func indent(_ depth: Int) -> String { String(repeating: "  ", count: depth) }

    static let escapes: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "\u{08}": "\\b", "\u{0C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
    ]

    /// `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`; everything else as it is,
    /// or with `quotable` as described at `encode`.
    private static func writeString(_ text: String, to out: inout String, quotable: Bool) {
        out += "\""
        out += Escaping.apply(text, quotable ? quotableEscapes : escapes) { scalar in
            guard scalar.value < 0x20 || (quotable && scalar.value >= 0x7F) else { return nil }
            guard scalar.value > 0xFFFF else { return unicodeEscape(scalar.value) }
            let v = scalar.value - 0x10000
            return unicodeEscape(0xD800 + (v >> 10)) + unicodeEscape(0xDC00 + (v & 0x3FF))
        }
        out += "\""
    }

    /// `$` too: python-dotenv expands `${NAME}` even between single quotes.
    static let quotableEscapes = escapes.merging(["\\": "\\u005c", "'": "\\u0027", "$": "\\u0024"]) { $1 }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
