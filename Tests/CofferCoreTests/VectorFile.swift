import CofferCore
import CofferSodium
import Foundation

/// One vector of `Formats/vectors/`: a vault file and its `key: value` description (spec §9).
struct VectorFile {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Formats/vectors")

    let name: String
    var fields: [(key: String, value: String)]

    func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }
    func values(_ key: String) -> [String] { fields.filter { $0.key == key }.map(\.value) }

    static func all() throws -> [VectorFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
        return try names.map { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let fields = text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            return VectorFile(name: String(file.dropLast(4)), fields: fields)
        }
    }

    var vaultBytes: [UInt8] {
        get throws { Array(try Data(contentsOf: VectorFile.directory.appendingPathComponent(name + ".coffer"))) }
    }

    /// The `entry:` line of the spec for one entry.
    static func describe(_ e: Entry) -> String {
        var pairs: [(String, String)] = [
            ("name", e.name), ("kind", e.kind.word), ("state", e.enabled ? "enabled" : "disabled"), ("host", e.host),
        ]
        if let v = e.protocol { pairs.append(("protocol", v)) }
        if let v = e.path { pairs.append(("path", v)) }
        if let v = e.username { pairs.append(("username", v)) }
        if let v = e.tokenType { pairs.append(("token-type", v.rawValue)) }
        pairs.append(("secret", e.secret.revealed()))
        if !e.history.isEmpty { pairs.append(("history", String(e.history.count))) }
        return pairs.map { "\($0)=\(escape($1))" }.joined(separator: " ")
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case " ": out += "%20"
            case "%": out += "%25"
            case "=": out += "%3D"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
