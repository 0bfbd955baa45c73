import CofferCore
import CofferSodium
import Foundation

// make-vault PATH COUNT: writes a vault of COUNT entries (interactive KDF, passphrase from stdin's first
// line) for the whole-process benchmarks: the agent's memory and `coffer export composer` at scale. Secrets
// are ranges of one locked buffer, as in an opened vault, so even 100,000 entries need one allocation.
let arguments = CommandLine.arguments
// make-vault --open PATH: opens it with the passphrase on stdin and prints how long the open took (profiling).
if arguments.count == 3 && arguments[1] == "--open" {
    let passphrase = try Secret(copying: readLine() ?? "").storage
    let bytes = try VaultStore(path: arguments[2]).read()
    let file = try VaultFile(parsing: bytes)
    let kek = try file.passphraseSlots[0].deriveKey(passphrase: passphrase)
    let start = DispatchTime.now().uptimeNanoseconds
    let vault = try Vault.open(file, with: .slotKey(kek))
    let end = DispatchTime.now().uptimeNanoseconds
    print("\(vault.entries.count) entries opened in \(Double(end - start) / 1e6) ms after the KDF")
    exit(0)
}
guard arguments.count == 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write("usage: make-vault PATH COUNT < passphrase\n".data(using: .utf8)!)
    exit(2)
}
let passphrase = try Secret(copying: readLine() ?? "").storage
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
