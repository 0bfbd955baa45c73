import Glibc

/// Runs a system call, retrying on `EINTR`, and turns -1 into `VaultError.io` (swift-system's `valueOrErrno`).
@discardableResult
func syscall<T: FixedWidthInteger>(_ operation: String, _ path: String, _ body: () -> T) throws(VaultError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        if errno == EINTR { continue }
        throw .io(operation: operation, path: path, errno: errno)
    }
}
