import FuzzDriver
import CofferCore
import CofferSodium

/// The vault reader on untrusted bytes: parsing (every rule without a key, the KDF budget) and an open with
/// a fixed vault key, which reaches the header MAC and, for a matching file, the slot infos and payload.
/// Any input must end in a `VaultError`, never a crash. No passphrase: a KDF per input would be too slow.
let key = try! SecureBytes.random(count: 32)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let file = try? VaultFile(parsing: bytes) else { return 0 }
    _ = file.passphraseSlots
    _ = try? Vault.open(file, with: .vaultKey(key))
    _ = try? Vault.open(file, with: .slotKey(key))
    return 0
}

@_cdecl("FuzzVaultFile_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
