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
}
