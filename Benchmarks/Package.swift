// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks of the product's Core, kept in their own package so that the product's
// build and CI never pay for the harness. Run: `swift package --disable-sandbox benchmark`.
let package = Package(
    name: "smarketing-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "smarketing", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ScoringEngine",
            dependencies: [
                .product(name: "SmarketingCore", package: "smarketing"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ScoringEngine",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
