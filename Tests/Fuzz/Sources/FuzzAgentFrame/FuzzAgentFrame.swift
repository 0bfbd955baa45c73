import FuzzDriver
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

@_cdecl("FuzzAgentFrame_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
