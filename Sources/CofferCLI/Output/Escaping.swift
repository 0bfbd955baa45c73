/// Text with some Unicode scalars replaced by escapes, for the formats Coffer writes for other programs
/// (`JSONText`, `CurlText`).
enum Escaping {
    /// `text` with each scalar found in `table`, or given an escape by `other`, replaced by that escape.
    static func apply(_ text: String, _ table: [Unicode.Scalar: String], other: (Unicode.Scalar) -> String? = { _ in nil }) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let escape = table[scalar] ?? other(scalar) { out += escape } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// Text from elsewhere (a server's message) made safe for a terminal: C0 controls and DEL as `\xNN`,
    /// C1 controls (U+0080-U+009F, which some terminals obey as escapes) as `\u00NN`, a backslash doubled.
    static func untrusted(_ text: String) -> String {
        func hex(_ v: UInt32) -> String { let h = String(v, radix: 16); return h.count == 1 ? "0" + h : h }
        return apply(text, ["\\": "\\\\"]) { s in
            if s.value < 0x20 || s.value == 0x7F { return "\\x" + hex(s.value) }
            if (0x80...0x9F).contains(s.value) { return "\\u00" + hex(s.value) }
            return nil
        }
    }
}
