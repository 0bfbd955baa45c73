import CofferAgentProtocol
import CofferCore

/// Failures of the command-line layer, each with the exit code the README documents.
public enum CLIError: Error, CustomStringConvertible {
    case usage(String, hint: String? = nil)
    case noTerminal(String)
    case input(String, hint: String? = nil)
    case failure(String, hint: String? = nil)
    /// Something named does not exist (exit 6), where no `VaultError` says it.
    case notFound(String, hint: String? = nil)
    /// Something that must not be overwritten exists (exit 7).
    case exists(String, hint: String? = nil)
    /// `exec` could not start its command: 127 when there is no such command, else 126, as in a shell.
    case cannotRun(String, notFound: Bool)
    case passphraseMismatch
    case interrupted
    /// No agent, and no way to unlock the file here; names the socket it looked for.
    case locked(socket: String)

    public var description: String {
        switch self {
        case .usage(let m, _), .input(let m, _), .failure(let m, _), .notFound(let m, _), .exists(let m, _), .cannotRun(let m, _): m
        case .noTerminal(let what): "no terminal to read the \(what) from"
        case .passphraseMismatch: "the passphrases do not match"
        case .interrupted: "interrupted"
        case .locked(let socket): "vault is locked: no agent listens at \(socket)"
        }
    }

    var hint: String? {
        switch self {
        case .usage(_, let h), .input(_, let h), .failure(_, let h), .notFound(_, let h), .exists(_, let h): h
        case .noTerminal(let what) where what.contains("passphrase"):
            "pass it with --passphrase-fd N or --passphrase-file PATH"
        case .noTerminal: "pipe it on standard input"
        case .passphraseMismatch: "nothing was changed; try again"
        case .locked: CLIError.lockedHint
        default: nil
        }
    }
}

extension CLIError {
    static let lockedHint = "run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH"

    var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .interrupted: .interrupted
        case .locked: .locked
        case .notFound: .notFound
        case .exists: .exists
        case .cannotRun(_, let notFound): notFound ? .commandNotFound : .cannotExecute
        default: .failure
        }
    }
}

extension VaultError {
    var hint: String? {
        switch self {
        case .wrongPassphrase: "the vault was not changed"
        case .notAVault, .truncated, .badSlotCount, .badSlot, .noKnownSlot, .malformedHeader, .headerTampered, .payloadTampered, .malformedPayload:
            "the file was not changed; the previous generation may be in the .bak file next to it"
        case .vaultNotFound: "create one with 'coffer init', or name it with --vault PATH or COFFER_VAULT"
        case .entryNotFound: "'coffer list' shows the names"
        case .invalidName: "names are 1 to 128 characters of letters, digits and . _ - @ + : /, starting with a letter or digit"
        case .kdfParametersOutOfRange, .kdfBudgetExceeded: "the file was not changed; it may have been crafted to exhaust this machine"
        case .slotNotFound: "'coffer slot list' shows the ids"
        case .lockBusy: "try again; COFFER_LOCK_WAIT=SECONDS sets how long a writer waits"
        case .lockUntrusted: "keep the vault in a directory only you can write; its lock file is VAULT.lock beside it"
        case .cannotRekey: "nothing was changed; 'coffer upgrade --key-file PATH' (or 'coffer upgrade' for a passphrase slot) converts a format-1 slot, or remove that slot first"
        case .rekeyedWithoutSlot: "run 'coffer unlock' with a passphrase or key file that still opens it"
        default: nil
        }
    }
}
