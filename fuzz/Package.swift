// swift-tools-version: 6.0
// libFuzzer targets over the readers of outside bytes. Built only by `scripts/fuzz` (with
// --sanitize=fuzzer --sanitize=address, in its own build folder), never by the main package's `swift build`.
import Foundation
import PackageDescription

/// The main package is the folder above; SwiftPM names a path dependency after its folder.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let readers: [Target.Dependency] = [.product(name: "ScenarioCLIPReaders", package: main.lastPathComponent)]

/// One executable per reader: Sources/Fuzz<Name>/Fuzz.swift defines `LLVMFuzzerTestOneInput`.
let names = [
    "JPEG", "PNG", "WebP", "Pickle", "Zip", "Checkpoint", "SafeTensors", "Metadata", "Query", "Tokenizer", "COCO",
    "OpenPSG", "VisualGenome", "ActionGenome", "Vectors",
]
/// Targets that also reach SQLite themselves (the vectors target writes damaged chunk rows with GRDB).
let extra: [String: [Target.Dependency]] = ["Vectors": [.product(name: "GRDB", package: "GRDB.swift")]]

let package = Package(
    name: "ScenarioCLIPFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: ".."), .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0")],
    targets: [.target(name: "FuzzSupport", path: "Sources/FuzzSupport")] + names.map { name in
        .executableTarget(
            name: "Fuzz\(name)", dependencies: readers + ["FuzzSupport"] + (extra[name] ?? []), path: "Sources/Fuzz\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)
