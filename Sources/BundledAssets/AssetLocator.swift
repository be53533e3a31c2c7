import Foundation

/// Finds the files the project ships in its top-level `Assets/` folder (tokenizer vocabulary,
/// bundled model, demo dataset).
///
/// Search order: the `SCENARIOCLIP_ASSETS` environment variable, an `Assets` folder beside or above
/// the running executable (for installed copies), then the source checkout this module was built from.
public enum AssetLocator {
    /// Errors raised when an asset cannot be found.
    public enum Error: Swift.Error, CustomStringConvertible {
        case notFound(name: String, searched: [String])

        public var description: String {
            switch self {
            case .notFound(let name, let searched):
                return "bundled asset '\(name)' not found; looked in: \(searched.joined(separator: ", ")). "
                    + "Set SCENARIOCLIP_ASSETS to the project's Assets folder."
            }
        }
    }

    /// Candidate `Assets` directories, most specific first.
    public static var searchDirectories: [URL] {
        var result: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SCENARIOCLIP_ASSETS"], !env.isEmpty {
            result.append(URL(fileURLWithPath: env, isDirectory: true))
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            result.append(dir.appendingPathComponent("Assets", isDirectory: true))
            dir.deleteLastPathComponent()
        }
        // Sources/BundledAssets/AssetLocator.swift → repository root.
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        result.append(sourceRoot.appendingPathComponent("Assets", isDirectory: true))
        return result
    }

    /// The URL of `relativePath` inside the first `Assets` directory that has it.
    /// - Throws: ``Error/notFound(name:searched:)`` when no candidate holds it.
    public static func url(for relativePath: String) throws -> URL {
        let fm = FileManager.default
        for dir in searchDirectories {
            let candidate = dir.appendingPathComponent(relativePath)
            if fm.fileExists(atPath: candidate.path) { return candidate }
        }
        throw Error.notFound(name: relativePath, searched: searchDirectories.map(\.path))
    }
}
