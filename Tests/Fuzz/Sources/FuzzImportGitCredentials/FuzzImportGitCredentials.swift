import CofferCLI
import CofferCore
import FuzzDriver

/// The importer of git-credential-store's file: the line split, URL parsing and names, on untrusted bytes (a
/// plaintext file the user was handed). Whatever it accepts must be entries the vault can hold: they encode,
/// and decode again to the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let plan = try? Importer.gitCredentials(bytes, path: "input", now: 1_800_000_000) else { return 0 }
    guard let payload = try? EntryList.encode(plan.entries), var again = try? EntryList(decoding: payload) else {
        preconditionFailure("an imported entry the vault cannot encode or read back")
    }
    again.decodeAll()
    precondition(again.entries.count == plan.entries.count && zip(again.entries, plan.entries).allSatisfy { $0.hasSameContent(as: $1) },
                 "imported entries read back as other entries")
    return 0
}

@_cdecl("FuzzImportGitCredentials_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
