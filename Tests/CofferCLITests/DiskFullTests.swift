import Foundation
import Glibc
import XCTest

/// A vault on a full file system (a small tmpfs): every write fails cleanly, the vault and its backup are
/// byte-identical, no temporary is left, and a key file that could not be written is not left half-made.
final class DiskFullTests: XCTestCase {
    var box: Sandbox!
    var mountPoint: String!

    override func setUpWithError() throws {
        box = try Sandbox()
        mountPoint = box.root + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try box.spawn(["/bin/mount", "-t", "tmpfs", "-o", "size=192k,mode=0700", "tmpfs", mountPoint], stdin: "", fd3: nil, env: box.environment)
        guard mount.status == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): \(mount.stderr)") }
    }

    override func tearDownWithError() throws {
        if let mountPoint { _ = try? box.spawn(["/bin/umount", mountPoint], stdin: "", fd3: nil, env: box.environment) }
    }

    func testAFullDiskChangesNothing() throws {
        let vault = mountPoint + "/v.coffer"
        let pass = ["--vault", vault, "--passphrase-file", box.root + "/pass"]
        XCTAssertEqual(try box.coffer(["init", "--kdf", "interactive"] + pass).status, 0)
        XCTAssertEqual(try box.coffer(["add", "token", "t", "--type", "bearer", "--host", "h.example"] + pass, stdin: "tok\n").status, 0)
        // Fill the rest of the file system.
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: filler))
        while (try? handle.write(contentsOf: Data(repeating: 0, count: 4096))) != nil {}
        try? handle.close()
        let before = box.read(vault), backup = box.read(vault + ".bak")
        let big = String(repeating: "x", count: 60_000)
        let add = try box.coffer(["add", "token", "u", "--type", "bearer", "--host", "u.example"] + pass, stdin: big + "\n")
        XCTAssertEqual(add.status, 1, add.description)
        XCTAssertTrue(add.stderr.hasPrefix("coffer: error: cannot "), add.stderr)
        XCTAssertTrue(add.stderr.contains("no space left on device"), add.stderr)
        XCTAssertFalse(add.stderr.contains(big.prefix(20)), "no secret in the message")
        XCTAssertEqual(box.read(vault), before)
        XCTAssertEqual(box.read(vault + ".bak"), backup)
        let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint).filter { $0.contains(".tmp") }
        XCTAssertEqual(left, [], "no temporary left")
        // A key file that does not fit is removed, so a retry does not meet "already exists".
        let keyPath = mountPoint + "/deploy.key"
        let slot = try box.coffer(["slot", "add-keyfile", keyPath] + pass)
        XCTAssertEqual(slot.status, 1, slot.description)
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyPath), "no half-written key file")
        XCTAssertEqual(box.read(vault), before)
    }
}
