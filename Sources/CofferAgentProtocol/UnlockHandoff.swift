import CofferSodium
import CofferSystem

/// How `coffer unlock` hands the vault to the agent process it starts (`Formats/agent-protocol.md` §4).
///
/// The agent is spawned with the secret pipe's read end as descriptor 3 and the status pipe's write end as
/// descriptor 4. The CLI writes `u8 method ‖ secret` and closes its end; the agent reads to end of input,
/// opens the vault, and writes one status line, `ok` or `error KIND MESSAGE`, before it serves. The secret
/// never travels on argv or in the environment.
public enum UnlockHandoff {
    public static let secretDescriptor: Int32 = 3
    public static let statusDescriptor: Int32 = 4
    /// The method byte and the secret together; a passphrase is at most 4,096 bytes, a key file 82.
    public static let maxBytes = 8192

    public enum Method: UInt8, Sendable {
        /// The secret is a passphrase.
        case passphrase = 0x70 // "p"
        /// The secret is a key file's contents (`vault-v2.md` §3.2).
        case keyFile = 0x6B // "k"
    }

    /// The agent's first line on the status pipe.
    public enum Status: Equatable, Sendable {
        case ok
        case failed(FailureKind, String)

        /// Without the newline; a message is one line.
        public var line: String {
            switch self {
            case .ok: "ok"
            case .failed(let kind, let message):
                "error \(kind.rawValue) " + String(message.map { $0 == "\n" ? " " : $0 })
            }
        }

        /// An empty or unreadable line means the agent died before it said anything.
        public init(line: String) {
            if line == "ok" { self = .ok; return }
            guard line.hasPrefix("error ") else {
                self = .failed(.failure, "the agent did not start")
                return
            }
            let rest = line.dropFirst(6)
            let word = String(rest.prefix { $0 != " " })
            self = .failed(FailureKind(word: word), String(rest.drop { $0 != " " }.dropFirst()))
        }
    }

    /// `u8 method ‖ secret`, in locked memory.
    public static func encode(_ method: Method, _ secret: SecureBytes) throws(SodiumError) -> SecureBytes {
        let blob = try SecureBytes(count: secret.count + 1)
        blob.withUnsafeMutableBytes { out in
            out[0] = method.rawValue
            secret.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[1...]).copyMemory(from: $0) }
        }
        return blob
    }

    /// Reads the hand-off to end of input from `fd` and splits it into method and secret.
    public static func read(from fd: Int32) throws(AgentError) -> (method: Method, secret: SecureBytes) {
        let buffer: SecureBytes
        do { buffer = try SecureBytes(count: maxBytes + 1) } catch { throw .tooLarge(maxBytes) }
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { (raw) throws(SystemError) in try Files.readFully(fd, raw, path: "the unlock pipe") }
        } catch { throw .system(error) }
        guard count <= maxBytes else { throw .tooLarge(count) }
        guard count >= 1 else { throw .malformed("nothing on the unlock pipe") }
        guard let method = Method(rawValue: buffer.withUnsafeBytes { $0[0] }) else { throw .malformed("unknown unlock method") }
        do {
            let secret = try buffer.withUnsafeBytes { (b) throws(SodiumError) in
                try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: b[1..<count]))
            }
            return (method, secret)
        } catch { throw .tooLarge(count) }
    }
}
