import Foundation

/// JSON text as `JSONSerialization` writes it with `.sortedKeys` and `.withoutEscapingSlashes` (two-space indent
/// and `" : "` when pretty), except that keys sort by their UTF-8 bytes. JSONSerialization on Linux sorts keys
/// with a locale-aware compare that builds a locale for every comparison: 75 ms of the 100 ms an export of
/// 1,000 hosts took. Byte order is also the same on every machine, whatever its locale.
enum JSONText {
    static func encode(_ value: Any, pretty: Bool) throws -> String {
        var out = ""
        try write(value, to: &out, pretty: pretty, depth: 0)
        return out
    }

    private static func write(_ value: Any, to out: inout String, pretty: Bool, depth: Int) throws {
        switch value {
        case let text as String:
            writeString(text, to: &out)
        case let object as [String: Any]:
            let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            try writeContainer(members, open: "{", close: "}", to: &out, pretty: pretty, depth: depth) { member, out in
                writeString(member.key, to: &out)
                out += pretty ? " : " : ":"
                try write(member.value, to: &out, pretty: pretty, depth: depth + 1)
            }
        case let array as [Any]:
            try writeContainer(array, open: "[", close: "]", to: &out, pretty: pretty, depth: depth) { element, out in
                try write(element, to: &out, pretty: pretty, depth: depth + 1)
            }
        default:
            // Numbers, booleans and null (only ever from an auth.json being merged into): JSONSerialization's own text.
            out += String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]), as: UTF8.self)
        }
    }

    /// Brackets, separators and, when pretty, one item a line; an empty container is `{\n\n}` there, as
    /// JSONSerialization writes it.
    private static func writeContainer<Item>(
        _ items: [Item], open: String, close: String, to out: inout String, pretty: Bool, depth: Int,
        item: (Item, inout String) throws -> Void
    ) throws {
        guard pretty else {
            out += open
            for (i, element) in items.enumerated() {
                if i > 0 { out += "," }
                try item(element, &out)
            }
            out += close
            return
        }
        out += open + "\n"
        for (i, element) in items.enumerated() {
            if i > 0 { out += ",\n" }
            out += indent(depth + 1)
            try item(element, &out)
        }
        out += "\n" + indent(depth) + close
    }

    private static func indent(_ depth: Int) -> String { String(repeating: "  ", count: depth) }

    static let escapes: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "\u{08}": "\\b", "\u{0C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
    ]

    /// `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`; everything else as it is.
    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        out += Escaping.apply(text, escapes) { scalar in
            guard scalar.value < 0x20 else { return nil }
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        out += "\""
    }
}
