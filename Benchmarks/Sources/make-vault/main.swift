import CofferCore
import CofferSodium
import Foundation

// make-vault PATH COUNT: writes a vault of COUNT entries (interactive KDF, passphrase from stdin's first
// line) for the whole-process benchmarks: the agent's memory and `coffer export composer` at scale. Secrets
// are ranges of one locked buffer, as in an opened vault, so even 100,000 entries need one allocation.
let arguments = CommandLine.arguments
// make-vault --open PATH [TIMES]: opens it TIMES times (default 1) with the passphrase on stdin, the KDF done
// once beforehand, and prints the fastest and the median open (for profiling the non-KDF part), and the median
// time to close the vault again, which the Swift benchmark of the open counts in each iteration.
if (3...4).contains(arguments.count) && arguments[1] == "--open" {
    let passphrase = try SecureBytes(copyingUTF8: readLine() ?? "")
    let bytes = try VaultStore(path: arguments[2]).read()
    let kek = try VaultFile.passphraseSecret(passphrase, slot: try VaultFile(parsing: bytes).passphraseSlots[0])
    var times: [Double] = [], drops: [Double] = []
    var count = 0
    for _ in 0..<(arguments.count == 4 ? Int(arguments[3]) ?? 1 : 1) {
        let start = DispatchTime.now().uptimeNanoseconds
        var vault: Vault? = try Vault.open(bytes, with: .slotKey(kek))
        let opened = DispatchTime.now().uptimeNanoseconds
        count = vault?.list.count ?? 0
        vault = nil
        times.append(Double(opened - start) / 1e6)
        drops.append(Double(DispatchTime.now().uptimeNanoseconds - opened) / 1e6)
    }
    times.sort()
    drops.sort()
    print("\(count) entries opened after the KDF: fastest \(times[0]) ms, median \(times[times.count / 2]) ms of \(times.count);",
          "closing (entries released, plaintext wiped): median \(drops[drops.count / 2]) ms")
    exit(0)
}
guard arguments.count == 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write("usage: make-vault PATH COUNT < passphrase\n".data(using: .utf8)!)
    exit(2)
}
let passphrase = try SecureBytes(copyingUTF8: readLine() ?? "")
let secretLength = 32
let storage = try SecureBytes.random(count: count * secretLength)
var vault = try Vault.create(passphrase: passphrase, kdf: KDFParameters(level: .interactive))
var list = EntryList()
for i in 0..<count {
    let secret = Secret(slicing: storage, range: (i * secretLength)..<((i + 1) * secretLength))
    var e = Entry(name: "login-\(i)", kind: .login, host: "git\(i % 5000).example.com", username: "user\(i)", secret: secret, created: 1_796_000_000)
    e.protocol = "https"
    try list.add(e)
}
var target = Entry(name: "target", kind: .login, host: "git.target.example", username: "deploy",
                   secret: try Secret(copying: "target-password"), created: 1_796_000_000)
target.protocol = "https"
try list.add(target)
vault.list = list
try VaultStore(path: arguments[1]).write(try vault.seal())
