import CofferAgentProtocol
import CofferSodium

/// The agent's frame body decoder on untrusted bytes (what any process of the user can send the socket).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard count > 0, let body = try? SecureBytes(copying: UnsafeRawBufferPointer(start: data, count: count)),
          let message = try? AgentMessage(body: body) else { return 0 }
    _ = message.op
    _ = message.strings(.name)
    _ = message.int(.id)
    _ = message.secret(.payload)
    return 0
}

// SwiftPM links an executable's entry point as `FuzzAgentFrame_main`; hand over to libFuzzer's driver from it.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzAgentFrame_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzz)
}
