/// Double-quoted strings as curl reads them in its config files and (7.84 and later) its netrc files, with
/// `\"`, `\\`, `\n`, `\r` and `\t` escapes. A raw line break would end the string, and what follows would be
/// read as more options or tokens: a secret imported from an auth.json may hold one.
enum CurlText {
    /// What a netrc token cannot hold without quotes.
    static let needsQuotes: Set<Unicode.Scalar> = [" ", "\"", "\\", "\t", "\n", "\r"]

    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
