/// Double-quoted strings as curl reads them in its config files and (7.84 and later) its netrc files, with
/// `\"`, `\\`, `\n`, `\r` and `\t` escapes. A raw line break would end the string, and what follows would be
/// read as more options or tokens: a secret imported from an auth.json may hold one.
enum CurlText {
    static let escapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]

    /// What a netrc token cannot hold without quotes: a space, or anything that is escaped.
    static let needsQuotes = Set(escapes.keys).union([" "])

    static func quoted(_ text: String) -> String { "\"" + Escaping.apply(text, escapes) + "\"" }
}
