import CofferAgentProtocol
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

extension CLIError {
    var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .interrupted: .interrupted
        case .locked: .locked
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
