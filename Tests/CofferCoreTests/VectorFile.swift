import CofferCore
import CofferSodium
import Foundation

/// One vector of `Formats/vectors/` (v1 §9) or `Formats/vectors-v2/` (v2 §9): a vault file and its
/// `key: value` description.
struct VectorFile {
    static let formats = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Formats")
    static let v1Directory = formats.appendingPathComponent("vectors")
    static let v2Directory = formats.appendingPathComponent("vectors-v2")
    static let v3Directory = formats.appendingPathComponent("vectors-v3")
    static let v4Directory = formats.appendingPathComponent("vectors-v4")

    let directory: URL
    let name: String
    var fields: [(key: String, value: String)]

    func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }
    func values(_ key: String) -> [String] { fields.filter { $0.key == key }.map(\.value) }

    static func all(in directory: URL) throws -> [VectorFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
        return try names.map { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let fields = text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            return VectorFile(directory: directory, name: String(file.dropLast(4)), fields: fields)
        }
    }

    var vaultBytes: [UInt8] {
        get throws { Array(try Data(contentsOf: directory.appendingPathComponent(name + ".coffer"))) }
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

    // MARK: Version 2 (v2 §9): every field, every byte

    /// Every field of an entry as `key=value`, values in `encode`'s form.
    /// `withID`: the entry id, which a version-4 file holds (older files' entries get random ones in memory).
    static func describeV2(_ e: Entry, withID: Bool = true) -> String {
        var pairs: [(String, [UInt8])] = [
            ("name", Array(e.name.utf8)), ("kind", Array(e.kind.word.utf8)), ("state", Array((e.enabled ? "enabled" : "disabled").utf8)),
            ("created", Array(String(e.created).utf8)), ("updated", Array(String(e.updated).utf8)), ("origin", Array(e.origin.word.utf8)),
        ]
        func add(_ key: String, _ value: String?) { if let value { pairs.append((key, Array(value.utf8))) } }
        add("note", e.note)
        add("rejected-at", e.rejectedAt.map(String.init))
        add("rejected-host", e.rejectedHost)
        if withID { add("id", e.id?.description) }
        add("protocol", e.protocol)
        add("host", e.host)
        add("path", e.path)
        add("username", e.username)
        add("token-type", e.tokenType?.rawValue)
        add("password-expiry-utc", e.passwordExpiryUTC.map(String.init))
        add("authtype", e.authtype)
        pairs.append(("secret", e.secret.withUnsafeBytes { Array($0) }))
        if let r = e.oauthRefreshToken { pairs.append(("oauth-refresh-token", r.withUnsafeBytes { Array($0) })) }
        for (i, h) in e.history.enumerated() {
            add("history.\(i).created", String(h.created))
            add("history.\(i).username", h.username)
            pairs.append(("history.\(i).secret", h.secret.withUnsafeBytes { Array($0) }))
            add("history.\(i).retired", String(h.retired))
        }
        for (i, x) in e.exposures.enumerated() {
            add("exposure.\(i).member", x.member)
            add("exposure.\(i).since", String(x.since))
        }
        return pairs.map { "\($0)=\(encode($1))" }.joined(separator: " ")
    }

    static func describeV2(_ s: SlotSummary) -> String {
        "id=\(s.id) type=\(s.type) format=\(s.legacy ? 1 : 2) created=\(s.created ?? 0) label=\(encode(Array(s.label.utf8)))"
    }

    /// A `member:` line (version 4).
    static func describe(_ m: MemberSummary) -> String {
        "id=\(m.slotID) name=\(encode(Array(m.name.utf8))) public-key=\(hex(m.publicKey)) added=\(m.added) added-by=\(encode(Array(m.addedBy.utf8)))"
    }

    /// The `vault-identity:` line of a payload holding an identity (version 4).
    static func describe(_ i: Identity) -> String { "public-key=\(hex(i.publicKey)) created=\(i.created)" }

    /// A `team:` line and its `team-member:` lines (version 4, §11.6).
    static func describe(_ t: TeamPin) -> [String] {
        ["team: name=\(encode(Array(t.name.utf8))) path=\(encode(Array(t.path.utf8))) vault-id=\(hex(t.vaultID)) generation=\(t.generation) seen=\(t.seen) epoch=\(t.epoch) key-check=\(hex(t.keyCheck))"]
            + t.members.map { "team-member: team=\(encode(Array(t.name.utf8))) name=\(encode(Array($0.name.utf8))) public-key=\(hex($0.publicKey))" }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...($0 + 1)], as: UTF8.self), radix: 16) }.reduce([UInt8]?([])) { acc, b in
            guard let acc, let b else { return nil }
            return acc + [b]
        }
    }

    /// Bytes 0x21-0x7E as they are, except `%` and `=`; every other byte as `%XX` (upper-case hex).
    static func encode(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes {
            if (0x21...0x7E).contains(b) && b != 0x25 && b != 0x3D {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// The inverse of `encode`, for `passphrase-hex`-free passphrases with `%XX` in them.
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let b = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(b)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

