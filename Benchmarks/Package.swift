// swift-tools-version:6.1
import PackageDescription

// A package of its own, so the root package's builds and tests never compile the benchmark harness.
let package = Package(
    name: "CofferBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "coffer", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CofferBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CofferCore", package: "coffer"),
                .product(name: "CofferSodium", package: "coffer"),
                .product(name: "CofferAgentProtocol", package: "coffer"),
            ],
            path: "Benchmarks/CofferBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Writes large vaults for the whole-process benchmarks in scripts/run.
        .executableTarget(
            name: "make-vault",
            dependencies: [.product(name: "CofferCore", package: "coffer"), .product(name: "CofferSodium", package: "coffer")],
            path: "Sources/make-vault"
        ),
    ]
)
