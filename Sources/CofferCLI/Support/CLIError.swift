import CofferCore

/// Failures of the command-line layer, each with the exit code the README documents.
public enum CLIError: Error, CustomStringConvertible {
    case usage(String, hint: String? = nil)
    case noTerminal(String)
    case input(String, hint: String? = nil)
    case failure(String, hint: String? = nil)
    case passphraseMismatch
    case interrupted
    case locked

    public var description: String {
        switch self {
        case .usage(let m, _), .input(let m, _), .failure(let m, _): m
        case .noTerminal(let what): "no terminal to read the \(what) from"
        case .passphraseMismatch: "the passphrases do not match"
        case .interrupted: "interrupted"
        case .locked: "vault is locked"
        }
    }

    var hint: String? {
        switch self {
        case .usage(_, let h), .input(_, let h), .failure(_, let h): h
        case .noTerminal(let what) where what.contains("passphrase"):
            "pass it with --passphrase-fd N or --passphrase-file PATH"
        case .noTerminal: "pipe it on standard input"
        case .passphraseMismatch: "nothing was changed; try again"
        case .locked: "run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH"
        default: nil
        }
    }
}

/// The documented exit codes (README, "Exit codes").
public enum ExitStatus: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
    case badKey = 3
    case damaged = 4
    case unsupported = 5
    case notFound = 6
    case exists = 7
    case locked = 8
    case interrupted = 130
}

extension ExitStatus {
    /// The exit code for a failure kind (`VaultError.kind`, or the `kind` of an agent's error reply).
    init(kind: String) {
        switch kind {
        case "bad-key": self = .badKey
        case "damaged": self = .damaged
        case "unsupported": self = .unsupported
        case "not-found": self = .notFound
        case "exists": self = .exists
        case "invalid": self = .usage
        case "locked": self = .locked
        default: self = .failure
        }
    }
}

extension VaultError {
    var exitStatus: ExitStatus { ExitStatus(kind: kind) }

    var hint: String? {
        switch self {
        case .wrongPassphrase: "the vault was not changed"
        case .notAVault, .truncated, .malformedHeader, .headerTampered, .payloadTampered, .malformedPayload:
            "the file was not changed; the previous generation may be in the .bak file next to it"
        case .vaultNotFound: "create one with 'coffer init', or name it with --vault PATH or COFFER_VAULT"
        case .entryNotFound: "'coffer list' shows the names"
        case .invalidName: "names are 1 to 128 characters of letters, digits and . _ - @ + : /, starting with a letter or digit"
        case .kdfParametersOutOfRange: "the file was not changed; it may have been crafted to exhaust this machine"
        default: nil
        }
    }
}
