import CofferCore
import CofferSodium
import Foundation

/// Vaults of a given size, made once per process and outside the measured loops.
enum Fixtures {
    static let passphrase = try! SecureBytes(copyingUTF8: "benchmark passphrase")
    static let keyFile = try! KeyFile.generate()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var vaults: [Int: [UInt8]] = [:]
    nonisolated(unsafe) private static var lists: [Int: EntryList] = [:]
    nonisolated(unsafe) private static var indexes: [Int: CredentialIndex] = [:]

    /// The git lookup index over `entries(count)`, as the agent keeps it.
    static func index(_ count: Int) -> CredentialIndex {
        if let index = lock.withLock({ indexes[count] }) { return index }
        let index = CredentialIndex(entries(count))
        lock.withLock { indexes[count] = index }
        return index
    }

    /// `count` entries: mostly logins spread over many hosts, with key pairs for repo.magento.com. All
    /// secrets are ranges of one locked buffer, as they are in an opened vault.
    static func entries(_ count: Int) -> EntryList {
        lock.withLock {
            if let list = lists[count] { return list }
            let secretLength = 32
            let storage = try! SecureBytes.random(count: count * secretLength)
            var list = EntryList()
            for i in 0..<count {
                let secret = Secret(slicing: storage, range: (i * secretLength)..<((i + 1) * secretLength))
                var e: Entry
                if i % 10 == 0 {
                    e = Entry(name: "magento-\(i)", kind: .keypair, host: "repo.magento.com", username: String(format: "%032d", i), secret: secret, created: 1_796_000_000)
                } else {
                    e = Entry(name: "login-\(i)", kind: .login, host: "git\(i % 5000).example.com", username: "user\(i)", secret: secret, created: 1_796_000_000)
                    e.protocol = "https"
                }
                try! list.add(e)
            }
            // The host every lookup asks for has one entry at every size, so sizes differ only in what is around it.
            var target = Entry(name: "target", kind: .login, host: "git.target.example", username: "deploy",
                               secret: try! Secret(copying: "target-password"), created: 1_796_000_000)
            target.protocol = "https"
            try! list.add(target)
            lists[count] = list
            return list
        }
    }

    /// The sealed file: interactive KDF, a passphrase slot and a key-file slot.
    static func vault(_ count: Int) -> [UInt8] {
        if let bytes = lock.withLock({ vaults[count] }) { return bytes }
        var vault = try! Vault.create(passphrase: passphrase, kdf: KDFParameters(level: .interactive))
        vault.list = entries(count)
        try! vault.addKeyFileSlot(keyFile)
        let bytes = try! vault.seal()
        lock.withLock { vaults[count] = bytes }
        return bytes
    }

    /// Identities of a simulated team: the first is the one who opens and writes.
    static let identities: [Identity] = (0..<52).map { i in
        try! Identity(secretKey: try! [UInt8](repeating: UInt8(i + 1), count: 32).withUnsafeBytes { try SecureBytes(copying: $0) }, created: 1_796_000_000)
    }

    nonisolated(unsafe) private static var teams: [Int: [UInt8]] = [:]

    /// A team vault of `members` member slots (identities 0 ..< members) and `entries(count)`.
    static func team(members: Int, entries count: Int) -> [UInt8] {
        let key = members * 1_000_000 + count
        if let bytes = lock.withLock({ teams[key] }) { return bytes }
        var vault = try! Vault.createTeam(identity: identities[0], name: "member-0", now: 1_796_000_000)
        for i in 1..<members { try! vault.addMember(name: "member-\(i)", publicKey: identities[i].publicKey, now: 1_796_000_000) }
        for e in entries(count).entries { try! vault.add(e) }
        let bytes = try! vault.seal()
        lock.withLock { teams[key] = bytes }
        return bytes
    }
}
