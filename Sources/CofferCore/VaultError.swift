import CofferSodium
import CofferSystem

/// Everything the vault core can refuse. Descriptions are complete user-facing sentences in lower case,
/// without a trailing period, and never contain a secret.
public enum VaultError: Error, Equatable, CustomStringConvertible {
    // Reading the file.
    case notAVault
    case unsupportedVersion(UInt16)
    case truncated
    case malformedHeader(String)
    case unsupportedKDFAlgorithm(UInt8)
    case kdfParametersOutOfRange(opsLimit: UInt64, memLimit: UInt64)
    case fileTooLarge(Int)
    // Unlocking.
    case wrongPassphrase
    case wrongKeyFile
    case noSlot(String)
    case invalidKeyFile(String)
    // Authenticating and decoding.
    case headerTampered
    case payloadTampered
    case malformedPayload(String)
    // Entries.
    case entryNotFound(String)
    case duplicateName(String)
    case invalidName(String)
    case invalidEntry(String)
    // Slots.
    case lastSlot
    case slotNotFound(Int)
    // Files.
    case vaultNotFound(String)
    case vaultExists(String)
    /// A system call failed (I/O).
    case system(SystemError)
    case crypto(SodiumError)

    public var description: String {
        switch self {
        case .notAVault: "not a coffer vault (bad magic)"
        case .unsupportedVersion(let v): "unsupported vault version \(v) (this coffer reads version \(VaultFormat.version))"
        case .truncated: "vault file is truncated"
        case .malformedHeader(let why): "vault header is malformed: \(why)"
        case .unsupportedKDFAlgorithm(let a): "unsupported key derivation algorithm \(a)"
        case .kdfParametersOutOfRange(let ops, let mem):
            "key derivation parameters out of range (opslimit \(ops), memlimit \(mem) bytes; allowed opslimit \(VaultFormat.opsLimitMin)-\(VaultFormat.opsLimitMax), memlimit \(VaultFormat.memLimitMin >> 20) MiB-\(VaultFormat.memLimitMax >> 30) GiB)"
        case .fileTooLarge(let n): "vault file is too large (\(n) bytes)"
        case .wrongPassphrase: "wrong passphrase"
        case .wrongKeyFile: "the key file does not open this vault"
        case .noSlot(let kind): "the vault has no \(kind) slot"
        case .invalidKeyFile(let why): "invalid key file: \(why)"
        case .headerTampered: "vault header failed authentication (the file was altered)"
        case .payloadTampered: "vault contents failed authentication (the file was altered)"
        case .malformedPayload(let why): "vault contents are malformed: \(why)"
        case .entryNotFound(let name): "no entry named '\(name)'"
        case .duplicateName(let name): "an entry named '\(name)' already exists"
        case .invalidName(let name): "invalid entry name '\(name)'"
        case .invalidEntry(let why): "invalid entry: \(why)"
        case .lastSlot: "cannot remove the last slot: the vault could never be opened again"
        case .slotNotFound(let id): "no slot with id \(id)"
        case .vaultNotFound(let path): "no vault at \(path)"
        case .vaultExists(let path): "a vault already exists at \(path)"
        case .system(let error): error.description
        case .crypto(let e): e.description
        }
    }
}
