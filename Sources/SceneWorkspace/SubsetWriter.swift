import Foundation
import Scenes

/// Writes a chosen list of records as a new reference-format dataset folder, safely: an `OUT` that exists and is
/// not empty is refused unless `force`, and the dataset is written into a temporary folder beside `OUT` that is
/// renamed into place only when complete (Ctrl-C leaves `OUT` as it was).
public enum SubsetWriter {
    /// Throws ``SceneWorkspaceError/outputNotEmpty(_:)`` when `out` exists, is not empty and `force` is off.
    public static func checkOutput(_ out: URL, force: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: out.path, isDirectory: &isDirectory) else { return }
        let empty = isDirectory.boolValue && ((try? fm.contentsOfDirectory(atPath: out.path))?.isEmpty ?? false)
        if !empty && !force { throw SceneWorkspaceError.outputNotEmpty(out.path) }
    }

    /// Writes `records` to `out` through ``ReferenceDatasetWriter`` (pictures and regions keep absolute paths to
    /// the source files).
    public static func write(_ records: [SceneRecord], to out: URL, force: Bool) throws -> ReferenceDatasetWriter.Summary {
        try checkOutput(out, force: force)
        let fm = FileManager.default
        let target = out.standardizedFileURL
        let staging = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())", isDirectory: true)
        try? fm.removeItem(at: staging)
        var writer = try ReferenceDatasetWriter(directory: staging)
        let summary: ReferenceDatasetWriter.Summary
        do {
            for record in records { try writer.append(record) }
            summary = try writer.finish()
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: staging, to: target)
        } catch {
            writer.abandon()
            try? fm.removeItem(at: staging)
            if let error = error as? ScenesError { throw error }
            throw SceneWorkspaceError.cannotWrite(path: target.path, reason: (error as NSError).localizedDescription)
        }
        return summary
    }
}
