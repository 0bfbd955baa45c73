import CofferCLI
import CofferCore
import FuzzDriver
import FuzzEntries

/// The importer of composer's `auth.json`: the JSON parser, then the section rules, on untrusted bytes (a
/// plaintext file the user was handed). Whatever it accepts must be entries the vault can hold: they encode,
/// and decode again to the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let plan = try? Importer.composer(bytes, path: "input", now: 1_800_000_000) else { return 0 }
    precondition(readsBackTheSame(plan.entries), "imported entries the vault cannot encode, or that read back as other entries")
    return 0
}

@_cdecl("FuzzImportComposer_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
