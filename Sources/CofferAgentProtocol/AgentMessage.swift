import CofferSodium
import Glibc

/// The agent protocol's frame and message (`Formats/agent-protocol.md`):
/// `u32 length ‖ u8 version ‖ fields`, each field `u8 name-length ‖ name ‖ u32 value-length ‖ value`.
public enum AgentProtocol {
    public static let version: UInt8 = 1
    /// Requests larger than this are refused before they are read.
    public static let maxRequestBytes = 16 << 20
    /// Responses can carry every entry of a large vault.
    public static let maxResponseBytes = 256 << 20
    public static let maxNameBytes = 32
    /// How long one connection may take to send a whole request, or to read a response.
    public static let ioTimeoutSeconds = 10
}

/// A message to send: named values, secrets kept in locked memory until they are framed.
public struct AgentMessageBuilder {
    enum Value {
        case bytes([UInt8])
        case secret(SecureBytes, Range<Int>)
    }
    var fields: [(name: String, value: Value)] = []

    public init(op: String) { add("op", op) }
    public init(status: String) { add("status", status) }

    public mutating func add(_ name: String, _ text: String) { fields.append((name, .bytes(Array(text.utf8)))) }
    public mutating func add(_ name: String, _ number: Int) { add(name, String(number)) }
    /// A value from locked memory (a secret, or an encoded payload that holds secrets).
    public mutating func add(_ name: String, secret: SecureBytes, range: Range<Int>? = nil) {
        fields.append((name, .secret(secret, range ?? 0..<secret.count)))
    }

    /// The whole frame, length prefix included, in locked memory.
    public func frame() throws(SodiumError) -> SecureBytes {
        var size = 4 + 1
        for (name, value) in fields {
            size += 1 + name.utf8.count + 4
            switch value {
            case .bytes(let b): size += b.count
            case .secret(_, let r): size += r.count
            }
        }
        let out = try SecureBytes(count: size)
        out.withUnsafeMutableBytes { o in
            var at = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                if bytes.count > 0 { UnsafeMutableRawBufferPointer(rebasing: o[at..<(at + bytes.count)]).copyMemory(from: bytes) }
                at += bytes.count
            }
            func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { put($0) } }
            u32(size - 4)
            withUnsafeBytes(of: AgentProtocol.version) { put($0) }
            for (name, value) in fields {
                let nameBytes = Array(name.utf8)
                withUnsafeBytes(of: UInt8(nameBytes.count)) { put($0) }
                nameBytes.withUnsafeBytes { put($0) }
                switch value {
                case .bytes(let b):
                    u32(b.count)
                    b.withUnsafeBytes { put($0) }
                case .secret(let s, let r):
                    u32(r.count)
                    s.withUnsafeBytes { put(UnsafeRawBufferPointer(rebasing: $0[r])) }
                }
            }
        }
        return out
    }
}

/// A received message: the body in locked memory and the ranges of its fields.
public struct AgentMessage: @unchecked Sendable {
    public let body: SecureBytes
    public let fields: [(name: String, range: Range<Int>)]

    /// Parses a frame body (without the length prefix), strictly.
    public init(body: SecureBytes) throws(AgentError) {
        self.body = body
        fields = try body.withUnsafeBytes { (b) throws(AgentError) -> [(name: String, range: Range<Int>)] in
            guard b.count >= 1 else { throw .malformed("empty message") }
            guard b[0] == AgentProtocol.version else { throw .malformed("unsupported protocol version \(b[0])") }
            var at = 1
            var out: [(String, Range<Int>)] = []
            while at < b.count {
                let nameLength = Int(b[at])
                at += 1
                guard (1...AgentProtocol.maxNameBytes).contains(nameLength), at + nameLength + 4 <= b.count else {
                    throw .malformed("bad field name")
                }
                let nameBytes = UnsafeRawBufferPointer(rebasing: b[at..<(at + nameLength)])
                guard nameBytes.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }) else {
                    throw .malformed("bad field name")
                }
                let name = String(decoding: nameBytes, as: UTF8.self)
                at += nameLength
                var length = 0
                for i in (0..<4).reversed() { length = length << 8 | Int(b[at + i]) }
                at += 4
                guard length <= b.count - at else { throw .malformed("field \(name) runs past the end") }
                out.append((name, at..<(at + length)))
                at += length
            }
            return out
        }
    }

    public func has(_ name: String) -> Bool { fields.contains { $0.name == name } }

    /// A text value (UTF-8); nil when absent or not UTF-8.
    public func string(_ name: String) -> String? {
        guard let range = fields.first(where: { $0.name == name })?.range else { return nil }
        return body.withUnsafeBytes { String(validating: $0[range], as: UTF8.self) }
    }

    public func strings(_ name: String) -> [String] {
        fields.filter { $0.name == name }.compactMap { field in
            body.withUnsafeBytes { String(validating: $0[field.range], as: UTF8.self) }
        }
    }

    public func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }

    /// A value copied into its own locked buffer.
    public func secret(_ name: String) throws(SodiumError) -> SecureBytes? {
        guard let range = fields.first(where: { $0.name == name })?.range else { return nil }
        return try body.withUnsafeBytes { (b) throws(SodiumError) in try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: b[range])) }
    }

    public var op: String? { string("op") }
}
