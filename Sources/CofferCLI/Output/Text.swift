extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what `.whitespaces` trimmed for one line).
    var trimmed: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}

enum Text {
    /// `1 entry`, `2 entries`: a count with its noun in the right number.
    static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
}
