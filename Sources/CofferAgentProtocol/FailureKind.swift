/// The documented exit codes of `coffer` (README, "Errors and exit codes").
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    case usage = 2
    case badKey = 3
    case damaged = 4
    case unsupported = 5
    case notFound = 6
    case exists = 7
    case locked = 8
    /// `exec`: the command was found but cannot be run (as a shell says it).
    case cannotExecute = 126
    /// `exec`: no such command.
    case commandNotFound = 127
    case interrupted = 130
}

/// The kinds of failure that cross between Coffer's processes: the `kind` of an agent's error reply
/// (`Formats/agent-protocol.md` §3) and of the unlock hand-off's status line (§4). Each maps to one exit code,
/// here and nowhere else.
public enum FailureKind: String, Sendable, CaseIterable {
    /// Wrong passphrase or key file.
    case badKey = "bad-key"
    /// The vault file is damaged or altered.
    case damaged
    /// Unsupported version or parameters.
    case unsupported
    /// No such entry, slot or vault.
    case notFound = "not-found"
    /// An entry of that name, or the vault, exists.
    case exists
    /// An entry or request breaks a rule.
    case invalid
    /// No agent holds the vault open.
    case locked
    /// A malformed request or an unknown op.
    case `protocol`
    /// Anything else (I/O).
    case failure

    /// A word from another process: unknown words are `failure`, so a newer agent's kinds still map.
    public init(word: String) { self = FailureKind(rawValue: word) ?? .failure }

    public var exitStatus: ExitStatus {
        switch self {
        case .badKey: .badKey
        case .damaged: .damaged
        case .unsupported: .unsupported
        case .notFound: .notFound
        case .exists: .exists
        case .invalid: .usage
        case .locked: .locked
        case .protocol, .failure: .failure
        }
    }
}
