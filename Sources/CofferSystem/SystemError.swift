import Glibc
@_exported import SystemPackage

/// The system layer's one error: which call failed, on what, and the errno it gave. Every module above
/// reports system failures through this, so the text of an errno is made in one place.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase: "open", "write to", "connect to".
    public let operation: String
    public let path: String
    public let errno: Errno

    public init(_ operation: String, _ path: String, _ errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// User-facing: lower case, no trailing period.
    public var description: String { "cannot \(operation) \(path): \(errno.text)" }
}

extension Errno {
    /// `strerror`'s text in lower case: "no such file or directory".
    public var text: String { String(cString: strerror(rawValue)).lowercased() }

    /// The calling thread's `errno` now.
    public static var current: Errno { Errno(rawValue: Glibc.errno) }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with a typed error: the standard library's version only rethrows `any Error`.
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }.get()
    }

    /// `withUnsafeMutableBytes` with a typed error.
    public mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeMutableBytes { raw in Result { () throws(E) -> R in try body(raw) } }.get()
    }
}

/// Runs a system call that returns -1 on failure, retrying on `EINTR` (swift-system's `valueOrErrno`):
/// the one retry loop of the code base.
@inline(__always)
public func retryingInterrupts<T: FixedWidthInteger>(_ body: () -> T) -> Result<T, Errno> {
    while true {
        let result = body()
        if result != -1 { return .success(result) }
        let code = Errno.current
        if code != .interrupted { return .failure(code) }
    }
}

/// `retryingInterrupts`, failing with a `SystemError` that names the operation and its object.
@inline(__always)
@discardableResult
public func systemCall<T: FixedWidthInteger>(_ operation: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
    switch retryingInterrupts(body) {
    case .success(let value): return value
    case .failure(let code): throw SystemError(operation, path, code)
    }
}
