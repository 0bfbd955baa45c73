import CofferSystem

/// Failures of talking to the agent. Descriptions are user-facing: lower case, no trailing period.
public enum AgentError: Error, Equatable, CustomStringConvertible {
    /// No agent answers at the socket: the vault is locked.
    case notRunning
    case insecureDirectory(path: String, why: String)
    /// A system call on the socket or its directory failed.
    case system(SystemError)
    case timedOut
    /// The peer closed the connection before the first byte of a reply.
    case closedBeforeReply
    case malformed(String)
    case tooLarge(Int)
    case wrongPeer(uid: UInt32)
    /// The agent answered with an error: its message and kind.
    case remote(message: String, kind: FailureKind)

    public var description: String {
        switch self {
        case .notRunning: "vault is locked"
        case .insecureDirectory(let path, let why): "refusing the agent directory \(path): \(why)"
        case .system(let error): error.description
        case .timedOut: "the agent did not answer in time"
        case .closedBeforeReply: "the agent closed the connection without answering"
        case .malformed(let why): "malformed agent message: \(why)"
        case .tooLarge(let n): "agent message too large (\(n) bytes)"
        case .wrongPeer(let uid): "the agent socket belongs to another user (uid \(uid))"
        case .remote(let message, _): message
        }
    }

    /// The kind of failure, for the exit code.
    public var kind: FailureKind {
        switch self {
        case .notRunning: .locked
        case .remote(_, let kind): kind
        default: .failure
        }
    }
}
