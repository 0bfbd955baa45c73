import CofferSodium
import Glibc

/// What the test suite reads from a real run of the binary that no output shows. Each hook is off unless
/// its variable is set, and none carries a secret.
enum TestHooks {
    /// `COFFER_TEST_KDF_LOG=PATH`: appends the number of Argon2id derivations the command ran, one line per
    /// command, so a test can count them instead of timing them.
    static func reportDerivations() {
        guard let path = getenv("COFFER_TEST_KDF_LOG").map({ String(cString: $0) }), !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        Console.write(fd, "\(PasswordHash.derivations)\n")
    }
}
