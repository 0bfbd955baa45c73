import FuzzDriver
import FuzzEntries
import CofferCore
import CofferSodium

/// The payload decoder (what an agent reads from every `change add` and a client from every `list` reply):
/// the checking pass, then every entry decoded, re-encoded and decoded again to the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let payload = try? SecureBytes(copying: UnsafeRawBufferPointer(start: data, count: count)) else { return 0 }
    if var list = try? EntryList(decoding: payload) {
        list.decodeAll()
        precondition(readsBackTheSame(list.entries), "a decoded payload does not re-encode to the same entries")
    }
    _ = try? EntryList(decodingRedacted: payload).entries
    return 0
}

@_cdecl("FuzzPayload_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
