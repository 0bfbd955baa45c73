import CofferSodium
import CofferSystem

/// What the test suite reads from a real run of the binary that no output shows. Each hook is off unless
/// its variable is set, and none carries a secret.
enum TestHooks {
    /// `COFFER_TEST_KDF_LOG=PATH`: appends the number of Argon2id derivations the command ran, one line per
    /// command, so a test can count them instead of timing them.
    static func reportDerivations() {
        guard let path = Environment.get("COFFER_TEST_KDF_LOG"), !path.isEmpty,
              let fd = try? Files.openForAppending(path) else { return }
        defer { Files.close(fd) }
        Console.write(fd, "\(PasswordHash.derivations)\n")
    }
}
