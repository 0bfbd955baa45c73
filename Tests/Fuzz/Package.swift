// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets, a package of their own so the root package's builds never need the fuzzer runtime.
// Built and run by scripts/fuzz (swift build with -sanitize=fuzzer,address); each target is one
// `LLVMFuzzerTestOneInput`, with libFuzzer's own main (FuzzDriver hands over to it).
let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let core: [Target.Dependency] = [.product(name: "CofferCore", package: "coffer"), .product(name: "CofferSodium", package: "coffer"), "FuzzDriver"]
let package = Package(
    name: "CofferFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "coffer", path: "../..")],
    targets: [
        .target(name: "FuzzDriver"),
        // The round-trip oracle the payload and importer targets share.
        .target(name: "FuzzEntries", dependencies: [.product(name: "CofferCore", package: "coffer")]),
        .executableTarget(name: "FuzzVaultFile", dependencies: core, swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzPayload", dependencies: core + ["FuzzEntries"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzAgentFrame",
                          dependencies: [.product(name: "CofferAgentProtocol", package: "coffer"), .product(name: "CofferSodium", package: "coffer"), "FuzzDriver"],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzGitCredential",
                          dependencies: [.product(name: "CofferAgentProtocol", package: "coffer"), .product(name: "CofferSodium", package: "coffer"), "FuzzDriver"],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzImportComposer", dependencies: core + ["FuzzEntries", .product(name: "CofferCLI", package: "coffer")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzImportGitCredentials", dependencies: core + ["FuzzEntries", .product(name: "CofferCLI", package: "coffer")],
                          swiftSettings: fuzzFlags),
    ]
)
