import CofferSodium

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
        case secret(Secret)
    }
    var fields: [(name: String, value: Value)] = []

    public init(op: AgentOp) { add(.op, op.rawValue) }
    public init(status: String) { add(.status, status) }

    /// An `ok` reply.
    public static var ok: AgentMessageBuilder { AgentMessageBuilder(status: "ok") }

    /// An `error` reply: a user-facing message, without a secret, and its kind.
    public static func error(_ message: String, kind: FailureKind) -> AgentMessageBuilder {
        var reply = AgentMessageBuilder(status: "error")
        reply.add(.message, message)
        reply.add(.kind, kind.rawValue)
        return reply
    }

    public mutating func add(_ name: AgentField, _ text: String) { fields.append((name.rawValue, .bytes(Array(text.utf8)))) }
    public mutating func add(_ name: AgentField, _ number: Int) { add(name, String(number)) }
    public mutating func add(_ name: AgentField, _ flag: Bool) { add(name, flag ? "1" : "0") }
    /// A value from locked memory: a secret, or an encoded payload that holds secrets.
    public mutating func add(_ name: AgentField, secret: Secret) { fields.append((name.rawValue, .secret(secret))) }
    public mutating func add(_ name: AgentField, secret: SecureBytes) { add(name, secret: Secret(secret)) }

    /// The whole frame, length prefix included, in locked memory.
    public func frame() throws(SodiumError) -> SecureBytes {
        var size = 4 + 1
        for (name, value) in fields {
            size += 1 + name.utf8.count + 4
            switch value {
            case .bytes(let b): size += b.count
            case .secret(let s): size += s.count
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
                case .secret(let s):
                    u32(s.count)
                    s.withUnsafeBytes { put($0) }
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

    /// The first value of a field, as a range of `body`.
    public func range(_ name: AgentField) -> Range<Int>? { fields.first { $0.name == name.rawValue }?.range }

    public func has(_ name: AgentField) -> Bool { range(name) != nil }

    /// A text value (UTF-8); nil when absent or not UTF-8.
    public func string(_ name: AgentField) -> String? {
        guard let range = range(name) else { return nil }
        return body.withUnsafeBytes { String(validating: $0[range], as: UTF8.self) }
    }

    /// Every value of a repeated field that is UTF-8.
    public func strings(_ name: AgentField) -> [String] {
        fields.filter { $0.name == name.rawValue }.compactMap { field in
            body.withUnsafeBytes { String(validating: $0[field.range], as: UTF8.self) }
        }
    }

    public func int(_ name: AgentField) -> Int? { string(name).flatMap { Int($0) } }

    /// `1` is true; absent or anything else is false.
    public func flag(_ name: AgentField) -> Bool { string(name) == "1" }

    /// A value as a secret: a range of the message's locked body, which it keeps alive.
    public func secret(_ name: AgentField) -> Secret? {
        range(name).map { Secret(slicing: body, range: $0) }
    }

    /// The request's op; nil when absent or unknown.
    public var op: AgentOp? { string(.op).flatMap(AgentOp.init(rawValue:)) }
    /// The op as sent, for the error about an unknown one.
    public var opWord: String { string(.op) ?? "" }
}
