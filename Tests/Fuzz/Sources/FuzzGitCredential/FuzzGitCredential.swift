import CofferAgentProtocol
import CofferSodium
import FuzzDriver

/// git's credential request parser on untrusted bytes (whatever runs `git credential` or the helper can
/// write): every field it returns is a range of the input after its key's `=`, on one line, without NUL;
/// then the selector and the `url=` parser, which git does not check either.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard count > 0, let buffer = try? SecureBytes(copying: UnsafeRawBufferPointer(start: data, count: count)),
          let request = try? CredentialRequest.parse(buffer, count: count) else { return 0 }
    buffer.withUnsafeBytes { b in
        for field in request.fields {
            let value = field.value
            precondition(value.lowerBound >= 1 && value.upperBound <= count, "a field outside the input")
            precondition(b[value.lowerBound - 1] == 0x3D, "a value not after its key's '='")
            precondition(!b[value].contains(0x0A) && !b[value].contains(0), "a value with a line feed or NUL")
            // Ends at its line's end: before LF, before the one CR of a CRLF, or at the end of the input.
            let after = value.upperBound
            precondition(after == count || b[after] == 0x0A || (b[after] == 0x0D && (after + 1 == count || b[after + 1] == 0x0A)),
                         "a value cut short of its line's end")
        }
    }
    _ = request.selector
    for url in request.texts("url") { _ = CredentialRequest.parse(url: url) }
    _ = request.texts("capability[]")
    return 0
}

@_cdecl("FuzzGitCredential_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, fuzz) }
