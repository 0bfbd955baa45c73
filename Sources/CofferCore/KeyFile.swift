import CofferSodium

/// A key file (vault-v2.md §3.2): the ASCII text `COFFER-KEYFILE-1:` then 64 lowercase hex digits and a newline.
public struct KeyFile: Sendable {
    public static let prefix = "COFFER-KEYFILE-1:"
    public static let keyBytes = 32
    /// The file's length in bytes: prefix, 64 hex digits, newline.
    public static let fileBytes = prefix.utf8.count + 2 * keyBytes + 1

    let key: SecureBytes

    /// A new random key.
    public static func generate() throws(VaultError) -> KeyFile {
        do { return KeyFile(key: try SecureBytes.random(count: keyBytes)) } catch { throw .crypto(error) }
    }

    /// Parses a key file's contents (lent by the caller, who wipes them).
    public init(contents: UnsafeRawBufferPointer) throws(VaultError) {
        let prefix = Array(KeyFile.prefix.utf8)
        guard contents.count == KeyFile.fileBytes, contents.starts(with: prefix), contents.last == 0x0A else {
            throw .invalidKeyFile("expected \(KeyFile.fileBytes) bytes starting with \(KeyFile.prefix)")
        }
        let key: SecureBytes
        do { key = try SecureBytes(count: KeyFile.keyBytes) } catch { throw .crypto(error) }
        let ok = key.withUnsafeMutableBytes { out in
            for i in 0..<KeyFile.keyBytes {
                guard let hi = KeyFile.nibble(contents[prefix.count + 2 * i]),
                      let lo = KeyFile.nibble(contents[prefix.count + 2 * i + 1]) else { return false }
                out[i] = hi << 4 | lo
            }
            return true
        }
        guard ok else { throw .invalidKeyFile("the key is not 64 lowercase hex digits") }
        self.key = key
    }

    private init(key: SecureBytes) { self.key = key }

    /// A lowercase hex digit's value (also the member key line's, `Identity`).
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// The file's contents, in locked memory, for writing to disk.
    public func contents() throws(VaultError) -> SecureBytes {
        let out: SecureBytes
        do { out = try SecureBytes(count: KeyFile.fileBytes) } catch { throw .crypto(error) }
        let digits = Array("0123456789abcdef".utf8)
        out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                let prefix = Array(KeyFile.prefix.utf8)
                for (i, b) in prefix.enumerated() { o[i] = b }
                for i in 0..<KeyFile.keyBytes {
                    o[prefix.count + 2 * i] = digits[Int(k[i] >> 4)]
                    o[prefix.count + 2 * i + 1] = digits[Int(k[i] & 0x0F)]
                }
                o[KeyFile.fileBytes - 1] = 0x0A
            }
        }
        return out
    }

    /// BLAKE2b-256 keyed with the file's key over "coffer/v1/keyfile-slot": a format-1 slot's wrapping key.
    func v1SlotKey() throws(VaultError) -> SecureBytes {
        do { return try GenericHash.keyedHash(key: key, message: VaultFormat.v1KeyFileSlotLabel) } catch { throw .crypto(error) }
    }
}
