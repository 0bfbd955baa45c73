import CofferSodium
import CofferSystem

/// Everything the vault core can refuse. Descriptions are complete user-facing sentences in lower case,
/// without a trailing period, and never contain a secret.
public enum VaultError: Error, Equatable, CustomStringConvertible {
    // Reading the file.
    case notAVault
    case unsupportedVersion(UInt16)
    case truncated
    case badSlotCount(Int)
    case badSlot(String)
    case noKnownSlot
    case unsupportedKDFAlgorithm(UInt8)
    case kdfParametersOutOfRange(opsLimit: UInt64, memLimit: UInt64)
    case kdfBudgetExceeded(UInt64)
    case fileTooLarge(Int)
    // Unlocking.
    case wrongPassphrase
    case wrongKeyFile
    case noSlot(String)
    case invalidKeyFile(String)
    case invalidPassphrase(String)
    // Authenticating and decoding.
    case headerTampered
    /// The header MAC verified but a slot info inside it breaks a rule: a writer with the vault key erred.
    case malformedHeader(String)
    case payloadTampered
    case malformedPayload(String)
    // Entries.
    case entryNotFound(String)
    case duplicateName(String)
    case invalidName(String)
    case invalidEntry(String)
    // Slots.
    case lastSlot
    case slotNotFound(UInt32)
    case slotTableFull
    case invalidSlot(String)
    /// A re-key cannot give the new vault key to this slot.
    case cannotRekey(UInt32, String)
    /// Another writer re-keyed the vault and the slot this session was unlocked through is gone.
    case rekeyedWithoutSlot
    /// Version 4: the identity has no member slot in the vault.
    case notAMember
    case memberNotFound(String)
    /// The owner's vault holds no identity yet.
    case noIdentity
    /// A member's remembered state refuses this team vault file (v2 §11.6): team name, why.
    case teamRefused(String, String)
    /// Two versions of a team vault that a merge cannot combine safely (v2 §12).
    case mergeConflict(String)
    // Files.
    case vaultNotFound(String)
    case vaultExists(String)
    /// Another writer held the lock for the whole wait.
    case lockBusy(String, seconds: Int)
    /// The lock file is a symbolic link, not a regular file, or another user's.
    case lockUntrusted(String)
    /// A system call failed (I/O).
    case system(SystemError)
    case crypto(SodiumError)

    public var description: String {
        switch self {
        case .notAVault: "not a coffer vault (bad magic)"
        case .unsupportedVersion(let v): "unsupported vault version \(v) (this coffer reads versions \(VaultFormat.versionV1) to \(VaultFormat.version))"
        case .truncated: "vault file is truncated"
        case .badSlotCount(let n): "vault header is malformed: slot count \(n) is not between \(VaultFormat.minSlots) and \(VaultFormat.maxSlotsV3) (\(VaultFormat.maxSlots) from version 4)"
        case .badSlot(let why): "vault header is malformed: \(why)"
        case .noKnownSlot: "vault header is malformed: no slot of a known type"
        case .malformedHeader(let why): "vault header is malformed: \(why)"
        case .kdfBudgetExceeded(let work):
            "the passphrase slots ask for more key derivation work than allowed (\(work >> 30) GiB-passes; at most \(VaultFormat.kdfBudget >> 30))"
        case .unsupportedKDFAlgorithm(let a): "unsupported key derivation algorithm \(a)"
        case .kdfParametersOutOfRange(let ops, let mem):
            "key derivation parameters out of range (opslimit \(ops), memlimit \(mem) bytes; allowed opslimit \(VaultFormat.opsLimitMin)-\(VaultFormat.opsLimitMax), memlimit \(VaultFormat.memLimitMin >> 20) MiB-\(VaultFormat.memLimitMax >> 30) GiB)"
        case .fileTooLarge(let n): "vault file is too large (\(n) bytes)"
        case .wrongPassphrase: "wrong passphrase"
        case .wrongKeyFile: "the key file does not open this vault"
        case .noSlot(let kind): "the vault has no \(kind) slot"
        case .invalidKeyFile(let why): "invalid key file: \(why)"
        case .invalidPassphrase(let why): why
        case .headerTampered: "vault header failed authentication (the file was altered)"
        case .payloadTampered: "vault contents failed authentication (the file was altered)"
        case .malformedPayload(let why): "vault contents are malformed: \(why)"
        case .entryNotFound(let name): "no entry named '\(name)'"
        case .duplicateName(let name): "an entry named '\(name)' already exists"
        case .invalidName(let name): "invalid entry name '\(name)'"
        case .invalidEntry(let why): "invalid entry: \(why)"
        case .lastSlot: "cannot remove the last slot: the vault could never be opened again"
        case .slotNotFound(let id): "no slot with id \(id)"
        case .slotTableFull: "the slot table is full (\(VaultFormat.maxSlots) slots)"
        case .invalidSlot(let why): why
        case .cannotRekey(let id, let why): "cannot give a new vault key to slot \(id): \(why)"
        case .rekeyedWithoutSlot: "the vault was re-keyed without the slot it was unlocked with; unlock it again"
        case .notAMember: "this identity is not a member of the vault"
        case .memberNotFound(let name): "no member named '\(name)'"
        case .noIdentity: "you have no identity yet: run 'coffer identity init'"
        case .teamRefused(let team, let why): "refusing team vault '\(team)': \(why)"
        case .mergeConflict(let why): "cannot merge the team vault: \(why)"
        case .vaultNotFound(let path): "no vault at \(path)"
        case .vaultExists(let path): "a vault already exists at \(path)"
        case .lockBusy(let path, let seconds): "another writer has held \(path) for \(seconds) seconds; nothing was changed"
        case .lockUntrusted(let path): "refusing the lock file \(path): it is a symbolic link, not a regular file, or belongs to another user"
        case .system(let error): error.description
        case .crypto(let e): e.description
        }
    }
}
