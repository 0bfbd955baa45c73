@_spi(_Unicode) import Swift
import CofferSodium

/// The passphrase bytes a version-2 passphrase slot derives from (v2 §3.1): the UTF-8 text in Unicode
/// Normalization Form C, so the same passphrase typed as composed or decomposed characters (as different
/// keyboards and systems produce) opens the same slot. A format-1 slot used the bytes as typed.
enum Passphrase {
    /// The NFC form in a new locked buffer; the same buffer when it is ASCII (already NFC); nil when the
    /// bytes are not UTF-8.
    static func normalized(_ passphrase: SecureBytes) throws(VaultError) -> SecureBytes? {
        let (ascii, utf8) = passphrase.withUnsafeBytes { bytes -> (Bool, Bool) in
            if bytes.allSatisfy({ $0 < 0x80 }) { return (true, true) }
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return (false, true)
                case .error: return (false, false)
                }
            }
        }
        if ascii { return passphrase }
        guard utf8 else { return nil }
        // The standard library normalizes a String; the copy it needs is wiped once the form is taken. 16
        // NUL bytes after the passphrase make it too long for an inline small string, so the copy is heap
        // storage the wipe reaches; NUL is a starter that composes with nothing, so NFC(p ‖ NULs) is
        // NFC(p) ‖ NULs and the NULs are dropped again below.
        let padding = 16
        var text = passphrase.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count + padding) { out in
                _ = out.initialize(from: bytes)
                for i in bytes.count..<(bytes.count + padding) { out[i] = 0 }
                return bytes.count + padding
            }
        }
        defer {
            text.withUTF8 { Sodium.wipe(UnsafeMutableRawBufferPointer(mutating: UnsafeRawBufferPointer($0))) }
        }
        var count = -padding
        for _ in text._nfcCodeUnits { count += 1 }
        let out: SecureBytes
        do { out = try SecureBytes(count: count) } catch { throw .crypto(error) }
        out.withUnsafeMutableBytes { o in
            var i = 0
            for unit in text._nfcCodeUnits where i < count {
                o[i] = unit
                i += 1
            }
        }
        return out
    }

    /// The passphrase for a version-2 slot; refuses bytes that are not UTF-8 text.
    static func forVersion2(_ passphrase: SecureBytes) throws(VaultError) -> SecureBytes {
        guard let normalized = try normalized(passphrase) else { throw .invalidPassphrase("the passphrase is not UTF-8 text") }
        return normalized
    }
}
