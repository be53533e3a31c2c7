import Foundation
import GRDB

extension EmbeddingCache {
    /// Inserts or replaces a mark (one per scene, target kind and index).
    public func upsertMark(_ mark: AnnotationMark) throws {
        try write { try $0.upsertMark(mark) }
    }

    /// Deletes the mark on one target; returns `true` when there was one.
    @discardableResult
    public func deleteMark(sceneID: String, targetKind: AnnotationMark.TargetKind, targetIndex: Int = 0) throws -> Bool {
        try perform("deleting a mark") {
            try writer.write { db in
                try db.execute(
                    sql: "DELETE FROM marks WHERE scene_id = ? AND target_kind = ? AND target_index = ?",
                    arguments: [sceneID, targetKind.rawValue, targetIndex])
                return db.changesCount > 0
            }
        }
    }

    /// Marks of one scene, or of every scene when `sceneID` is `nil`, ordered by scene id, kind and index.
    public func marks(sceneID: String? = nil) throws -> [AnnotationMark] {
        try perform("reading marks") {
            try writer.read { db in
                var sql = "SELECT scene_id, target_kind, target_index, verdict, note, updated_at FROM marks"
                var arguments: StatementArguments = []
                if let sceneID {
                    sql += " WHERE scene_id = ?"
                    arguments = [sceneID]
                }
                sql += " ORDER BY scene_id, CASE target_kind WHEN 'scene' THEN 0 WHEN 'object' THEN 1 ELSE 2 END, target_index"
                return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                    guard let kind = try AnnotationMark.TargetKind(rawValue: row.decode(atIndex: 1)),
                        let verdict = try AnnotationMark.Verdict(rawValue: row.decode(atIndex: 3))
                    else { return nil }
                    return AnnotationMark(
                        sceneID: try row.decode(atIndex: 0), targetKind: kind, targetIndex: try row.decode(atIndex: 2),
                        verdict: verdict, note: try row.decode(atIndex: 4),
                        timestamp: Date(timeIntervalSince1970: try row.decode(atIndex: 5)))
                }
            }
        }
    }
}
