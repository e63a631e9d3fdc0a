// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "smarketing",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "smarketing", targets: ["smarketing"]),
        .library(name: "SmarketingCore", targets: ["SmarketingCore"]),
        .library(name: "SmarketingStore", targets: ["SmarketingStore"]),
        .library(name: "SmarketingWeb", targets: ["SmarketingWeb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "SmarketingCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "SmarketingStore",
            dependencies: [
                "SmarketingCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SmarketingWeb",
            dependencies: [
                "SmarketingCore",
                "SmarketingStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "smarketing",
            dependencies: ["SmarketingWeb", .product(name: "Vapor", package: "vapor")]
        ),
        .target(
            name: "SmarketingTestSupport",
            dependencies: [
                "SmarketingCore",
                "SmarketingStore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ],
            path: "Tests/SmarketingTestSupport"
        ),
        .testTarget(name: "SmarketingCoreTests", dependencies: ["SmarketingCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "SmarketingStoreTests",
            dependencies: ["SmarketingStore", "SmarketingCore", "SmarketingTestSupport"]
        ),
        .testTarget(
            name: "SmarketingWebTests",
            dependencies: [
                "SmarketingWeb",
                "SmarketingTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
