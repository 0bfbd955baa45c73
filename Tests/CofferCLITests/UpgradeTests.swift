import Foundation
import XCTest

/// A version-1 vault (the spec's `keyfile` vector: a passphrase slot and a key-file slot) through the
/// commands: it keeps opening, the first write upgrades it and keeps the version-1 file as the backup, a
/// re-key waits until every slot is converted, and then revokes (vault-v2.md §3.4, §5).
final class UpgradeTests: XCTestCase {
    static let vectors = URL(fileURLWithPath: Sandbox.repository).appendingPathComponent("Formats/vectors")

    func testAVersion1VaultUpgradesAndThenRekeys() throws {
        let box = try Sandbox()
        let v1 = Array(try Data(contentsOf: Self.vectors.appendingPathComponent("keyfile.coffer")))
        try FileManager.default.createDirectory(atPath: (box.vault as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: box.vault, contents: Data(v1), attributes: [.posixPermissions: 0o600]))
        // A private copy of the vector's key file (the repository's is 0644, which coffer warns about).
        let keyPath = box.root + "/keyfile-a.key"
        try FileManager.default.copyItem(atPath: Self.vectors.appendingPathComponent("keyfile-a.key").path, toPath: keyPath)
        chmod(keyPath, 0o600)
        let key = ["--key-file", keyPath]
        let pass = ["--passphrase-file", try box.write("v1pass", "correct horse battery staple\n")]

        XCTAssertRun(try box.coffer(["slot", "list"] + key), stdout: [
            "ID  TYPE                   LABEL  CREATED", "0   passphrase (format 1)  -      -", "1   key-file (format 1) *  -      -",
            "* unlocked with this slot",
        ])
        XCTAssertEqual(box.read(box.vault), v1, "reading does not write")
        XCTAssertRun(try box.coffer(["rekey"] + key), status: 2, stderr: [
            "coffer: error: cannot give a new vault key to slot 0: it is a format-1 passphrase slot, which needs its passphrase once to be converted",
            "coffer: hint: nothing was changed; 'coffer upgrade --key-file PATH' (or 'coffer upgrade' for a passphrase slot) converts a format-1 slot, or remove that slot first",
        ])
        XCTAssertEqual(box.read(box.vault), v1, "a refused re-key writes nothing")
        XCTAssertRun(try box.coffer(["upgrade"] + key), stdout: ["wrote the vault in format 4; slot 1 converted; still in format 1: slot 0"])
        XCTAssertEqual(box.read(box.vault + ".bak"), v1, "the version-1 generation is the backup")
        XCTAssertEqual(box.read(box.vault)?[6], 4)
        XCTAssertRun(try box.coffer(["upgrade"] + pass), stdout: ["wrote the vault in format 4; slot 0 converted"])
        XCTAssertRun(try box.coffer(["upgrade"] + pass), stdout: ["the vault and slot 0 are already in format 4"])
        let listed = try box.coffer(["list"] + pass)
        XCTAssertEqual(listed.status, 0)
        XCTAssertEqual(listed.stdout.split(separator: "\n").count, 6, "the five entries of the vector and the header")
        XCTAssertRun(try box.coffer(["slot", "remove", "1", "--force"] + pass), stdout: ["removed slot 1; the vault was re-keyed"])
        XCTAssertRun(try box.coffer(["list"] + key), status: 3, stderr: ["coffer: error: the vault has no key-file slot"])
        XCTAssertEqual(try box.coffer(["list"] + pass).stdout, listed.stdout)
    }

    /// A version-2 and a version-3 vault (the frozen corpora's `entries` vectors) keep opening; `upgrade`
    /// writes each as version 4 with the same entries (now with ids) and keeps the old file as the backup;
    /// then git can store what version 3 added, an empty username and password.
    func testVersion2And3VaultsUpgradeToVersion4() throws {
        for version in [2, 3] {
            let box = try Sandbox()
            let vectors = URL(fileURLWithPath: Sandbox.repository).appendingPathComponent("Formats/vectors-v\(version)")
            let old = Array(try Data(contentsOf: vectors.appendingPathComponent("entries.coffer")))
            XCTAssertEqual(old[6], UInt8(version))
            try FileManager.default.createDirectory(atPath: (box.vault as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: box.vault, contents: Data(old), attributes: [.posixPermissions: 0o600]))
            let pass = ["--passphrase-file", try box.write("vector-pass", "correct horse battery staple\n")]
            let before = try box.coffer(["list", "--json"] + pass)
            XCTAssertEqual(before.status, 0, before.description)
            XCTAssertEqual(box.read(box.vault), old, "reading does not write")
            XCTAssertRun(try box.coffer(["upgrade"] + pass), stdout: ["wrote the vault in format 4"])
            XCTAssertEqual(box.read(box.vault)?[6], 4)
            XCTAssertEqual(box.read(box.vault + ".bak"), old, "the version-\(version) generation is the backup")
            XCTAssertEqual(try box.coffer(["list", "--json"] + pass).stdout, before.stdout, "the entries changed")
            XCTAssertRun(try box.coffer(["upgrade"] + pass), stdout: ["the vault and slot 0 are already in format 4"])
            XCTAssertEqual(try box.coffer(["unlock"] + pass).status, 0)
            let helper = Sandbox.binaryDirectory + "/git-credential-coffer"
            XCTAssertRun(try box.spawn([helper, "store"], stdin: "protocol=https\nhost=sso.tld\nusername=\npassword=\n", fd3: nil, env: box.environment))
            XCTAssertRun(try box.spawn([helper, "get"], stdin: "protocol=https\nhost=sso.tld\n", fd3: nil, env: box.environment),
                         stdout: ["username=", "password="])
            XCTAssertEqual(try box.coffer(["lock"]).status, 0)
        }
    }
}
