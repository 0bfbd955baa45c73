import CofferCore

/// Failures of the command-line layer, each with the exit code the README documents.
public enum CLIError: Error, CustomStringConvertible {
    case usage(String, hint: String? = nil)
    case noTerminal(String)
    case input(String, hint: String? = nil)
    case failure(String, hint: String? = nil)
    case passphraseMismatch
    case interrupted

    public var description: String {
        switch self {
        case .usage(let m, _), .input(let m, _), .failure(let m, _): m
        case .noTerminal(let what): "no terminal to read the \(what) from"
        case .passphraseMismatch: "the passphrases do not match"
        case .interrupted: "interrupted"
        }
    }

    var hint: String? {
        switch self {
        case .usage(_, let h), .input(_, let h), .failure(_, let h): h
        case .noTerminal(let what) where what.contains("passphrase"):
            "pass it with --passphrase-fd N or --passphrase-file PATH"
        case .noTerminal: "pipe it on standard input"
        case .passphraseMismatch: "nothing was changed; try again"
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

extension VaultError {
    var exitStatus: ExitStatus {
        switch self {
        case .wrongPassphrase, .wrongKeyFile, .noSlot, .invalidKeyFile: .badKey
        case .notAVault, .truncated, .malformedHeader, .headerTampered, .payloadTampered, .malformedPayload: .damaged
        case .unsupportedVersion, .unsupportedKDFAlgorithm, .kdfParametersOutOfRange, .fileTooLarge: .unsupported
        case .entryNotFound, .vaultNotFound, .slotNotFound: .notFound
        case .duplicateName, .vaultExists: .exists
        case .invalidName, .invalidEntry, .lastSlot: .usage
        case .io, .crypto: .failure
        }
    }

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
