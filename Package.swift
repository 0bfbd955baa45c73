// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "coffer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "coffer", targets: ["coffer"]),
        .executable(name: "git-credential-coffer", targets: ["git-credential-coffer"]),
        .library(name: "CofferCore", targets: ["CofferCore"]),
        // For the benchmarks package, which depends on this one by path.
        .library(name: "CofferSodium", targets: ["CofferSodium"]),
        .library(name: "CofferAgentProtocol", targets: ["CofferAgentProtocol"]),
        // For the fuzz targets of Tests/Fuzz (the importers' parsers).
        .library(name: "CofferCLI", targets: ["CofferCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // The C library, through pkg-config; only CofferSodium imports it.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // The only Swift module that touches libsodium: secure memory and the primitives the format uses.
        .target(name: "CofferSodium", dependencies: ["CSodium"]),
        // _GNU_SOURCE-only system calls (SO_PEERCRED, prctl) behind plain C functions.
        .target(name: "CSystemShims"),
        // The system layer: every system call of the modules above, typed errno, EINTR retried, results
        // checked; swift-system underneath. No Foundation.
        .target(
            name: "CofferSystem",
            dependencies: ["CofferSodium", "CSystemShims", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The vault: format, model, store. No C types in its API.
        .target(name: "CofferCore", dependencies: ["CofferSodium", "CofferSystem"]),
        // What Coffer's processes agree on, and the agent client; no Foundation and no CofferCore, so the git
        // helper can link it.
        .target(name: "CofferAgentProtocol", dependencies: ["CofferSodium", "CofferSystem"]),
        // The agent process: holds the open vault and serves requests on its socket.
        .target(name: "CofferAgent", dependencies: ["CofferCore", "CofferAgentProtocol", "CofferSystem"]),
        // The command line: one ArgumentParser command per file.
        .target(
            name: "CofferCLI",
            dependencies: [
                "CofferCore",
                "CofferAgent",
                "CofferAgentProtocol",
                "CofferSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "coffer", dependencies: ["CofferCLI", "CofferSystem"]),
        // git runs this on every fetch and push: no Foundation, no ArgumentParser, one round trip.
        .executableTarget(name: "git-credential-coffer", dependencies: ["CofferAgentProtocol", "CofferSystem"]),
        .testTarget(name: "CofferSodiumTests", dependencies: ["CofferSodium"], exclude: ["Vectors"]),
        .testTarget(name: "CofferCoreTests", dependencies: ["CofferCore", "CofferSodium"]),
        .testTarget(name: "CofferCLITests", dependencies: ["CofferCore", "CofferSodium", "CofferAgentProtocol", "CofferSystem"], exclude: ["Fixtures"]),
    ]
)
