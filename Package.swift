// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ScenarioCLIP",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scenarioclip", targets: ["scenarioclip"]),
        // The readers of outside bytes, for the fuzz targets in fuzz/ (a separate package built only by scripts/fuzz).
        .library(name: "ScenarioCLIPReaders", targets: ["Weights", "Tokenizer", "Imaging", "Scenes", "SceneImport", "Retrieval", "EmbeddingCache"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // MARK: C libraries (only each wrapper module imports its library)
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CJPEG", path: "Sources/CJPEG",
            linkerSettings: [.linkedLibrary("jpeg")]),
        .target(
            name: "CPNG", path: "Sources/CPNG",
            linkerSettings: [.linkedLibrary("spng")]),
        .target(
            name: "CWebP", path: "Sources/CWebP",
            linkerSettings: [.linkedLibrary("webp"), .linkedLibrary("webpdemux")]),
        .systemLibrary(
            name: "CNcurses", path: "Sources/CNcurses", pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CChafa", path: "Sources/CChafa", pkgConfig: "chafa",
            providers: [.apt(["libchafa-dev", "libglib2.0-dev"])]),

        // MARK: Engine
        .target(name: "BundledAssets"),
        .target(name: "CNumerics", path: "Sources/CNumerics"),
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CNumerics"]),
        .target(name: "Zlib", dependencies: ["CZlib"]),
        .target(name: "Tokenizer", dependencies: ["BundledAssets", "Zlib"]),
        .target(name: "Weights", dependencies: ["Numerics", "Zlib"]),
        .target(name: "CLIP", dependencies: ["Numerics", "Weights", "Tokenizer"]),
        .target(name: "CResample", dependencies: ["CNumerics"], path: "Sources/CResample"),
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG", "CWebP", "CResample", "Numerics"]),

        // MARK: ScenarioCLIP
        .target(
            name: "ScenarioModel",
            dependencies: [
                "CLIP", "Weights", "Imaging", "Tokenizer", "Numerics", "BundledAssets",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "Scenes", dependencies: ["Imaging"]),
        .target(
            name: "EmbeddingCache",
            dependencies: [
                "Numerics", "Scenes", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "CRetrieval", path: "Sources/CRetrieval"),
        .target(name: "Retrieval", dependencies: ["Numerics", "CRetrieval"]),
        .target(name: "Evaluation", dependencies: ["Numerics"]),
        .target(name: "SceneGenerator", dependencies: ["Scenes", "Imaging", "Numerics"]),
        .target(name: "SceneImport", dependencies: ["Scenes", "Imaging", "Weights", "Numerics"]),
        .target(
            name: "SceneWorkspace",
            dependencies: ["Scenes", "EmbeddingCache", "ScenarioModel", "Retrieval", "Evaluation", "Imaging", "Numerics", "Weights"]),
        .target(name: "Training", dependencies: ["Numerics", "Weights", "CLIP", "ScenarioModel", "Scenes", "Imaging", "Tokenizer", "Evaluation"]),

        // MARK: Front ends
        .target(
            name: "Explorer",
            dependencies: [
                "CNcurses", "CChafa", "Scenes", "EmbeddingCache", "ScenarioModel", "Retrieval", "Imaging", "SceneWorkspace",
                "BundledAssets", "Numerics",
            ]),
        // What the commands and the benchmarks share: progress lines, the Ctrl-C flag, process memory figures and the
        // command-line conformances of library enums.
        .target(name: "CommandSupport", dependencies: ["Explorer", "Numerics", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(
            name: "ScenarioCLIPCommands",
            dependencies: [
                "Numerics", "Tokenizer", "Weights", "CLIP", "Imaging", "ScenarioModel", "Scenes",
                "EmbeddingCache", "Retrieval", "Evaluation", "SceneWorkspace", "SceneGenerator", "SceneImport", "Training", "Explorer", "BundledAssets",
                "CommandSupport", "ScenarioCLIPBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Benchmarks and their synthetic stand-ins (never imported by a library module)
        // Random CLIP weights, clustered synthetic embeddings and an in-memory explorer backend of any size.
        .target(name: "Synthetic", dependencies: ["Numerics", "Weights", "CLIP", "Retrieval", "Explorer", "ScenarioModel", "Scenes", "Imaging"]),
        // `scenarioclip bench …`: speed and memory figures (docs/PERFORMANCE.md).
        .target(
            name: "ScenarioCLIPBench",
            dependencies: [
                "Synthetic", "CommandSupport", "Numerics", "Tokenizer", "Weights", "CLIP", "Imaging", "ScenarioModel", "Scenes",
                "EmbeddingCache", "Retrieval", "SceneWorkspace", "SceneImport", "SceneGenerator", "Training", "Explorer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "scenarioclip", dependencies: ["ScenarioCLIPCommands", "Numerics"]),

        // MARK: Tests (one target per module)
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WeightsTests", dependencies: ["Weights", "Numerics", "Zlib"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "Weights", "Numerics", "Tokenizer"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Numerics", "CResample"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ScenarioModelTests", dependencies: ["ScenarioModel", "Weights", "CLIP", "Imaging", "Numerics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ScenesTests", dependencies: ["Scenes", "Imaging", "Numerics"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "EmbeddingCacheTests",
            dependencies: ["EmbeddingCache", "Numerics", "Scenes", "Imaging", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "Numerics", "Synthetic"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Numerics"]),
        .testTarget(
            name: "SceneWorkspaceTests",
            dependencies: ["SceneWorkspace", "Scenes", "EmbeddingCache", "ScenarioModel", "Imaging", "Numerics", "Retrieval", "Evaluation", "Synthetic"]),
        .testTarget(name: "SceneGeneratorTests", dependencies: ["SceneGenerator", "Scenes", "Imaging"]),
        .testTarget(name: "SceneImportTests", dependencies: ["SceneImport", "Scenes", "Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Numerics", "CLIP", "ScenarioModel", "Weights", "Scenes", "Tokenizer"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "Scenes", "EmbeddingCache", "Imaging", "ScenarioModel", "SceneWorkspace", "Retrieval", "Numerics"]),
        .testTarget(
            name: "ScenarioCLIPCommandsTests",
            dependencies: ["ScenarioCLIPCommands", "CLIP", "Weights", "Numerics", "EmbeddingCache", "Scenes", "Imaging", "Synthetic",
                           .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]),
    ]
)
