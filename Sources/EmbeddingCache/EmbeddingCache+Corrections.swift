import Foundation
import GRDB
import Scenes

extension EmbeddingCache {
    /// Stores a correction (committed at once: nothing made is lost when the program stops).
    public func addCorrection(_ correction: SceneCorrection) throws {
        try perform("storing a correction") {
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO corrections (scene_id, kind, target_index, old_value, new_value, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [correction.sceneID, correction.kind.rawValue, correction.index, correction.oldValue,
                                correction.newValue, correction.timestamp.timeIntervalSince1970])
            }
        }
    }

    /// Corrections of one scene, in the order they were made.
    public func corrections(for sceneID: String) throws -> [SceneCorrection] {
        try readCorrections(where: "WHERE scene_id = ?", arguments: [sceneID])
    }

    /// Every correction of the dataset, in the order they were made.
    public func allCorrections() throws -> [SceneCorrection] {
        try readCorrections(where: "", arguments: [])
    }

    /// Every correction grouped by scene id (each scene's in the order made).
    public func correctionsByScene() throws -> [String: [SceneCorrection]] {
        Dictionary(grouping: try allCorrections(), by: \.sceneID)
    }

    /// Removes the latest correction of `sceneID` (of any scene when `nil`) and returns it (`nil` when there is
    /// none): an undo.
    @discardableResult
    public func removeLastCorrection(sceneID: String? = nil) throws -> SceneCorrection? {
        try perform("undoing a correction") {
            try writer.write { db -> SceneCorrection? in
                var sql = "SELECT id, scene_id, kind, target_index, old_value, new_value, created_at FROM corrections"
                var arguments: StatementArguments = []
                if let sceneID {
                    sql += " WHERE scene_id = ?"
                    arguments = [sceneID]
                }
                guard let row = try Row.fetchOne(db, sql: sql + " ORDER BY id DESC LIMIT 1", arguments: arguments) else {
                    return nil
                }
                let correction = try Self.correction(row)
                try db.execute(sql: "DELETE FROM corrections WHERE id = ?", arguments: [try row.decode(Int64.self, atIndex: 0)])
                return correction
            }
        }
    }

    private func readCorrections(where clause: String, arguments: StatementArguments) throws -> [SceneCorrection] {
        try perform("reading corrections") {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, scene_id, kind, target_index, old_value, new_value, created_at FROM corrections \(clause) ORDER BY id
                    """, arguments: arguments).map(Self.correction)
            }
        }
    }

    private static func correction(_ row: Row) throws -> SceneCorrection {
        let id: Int64 = try row.decode(atIndex: 0)
        let sceneID: String = try row.decode(atIndex: 1), kindText: String = try row.decode(atIndex: 2)
        guard let kind = SceneCorrection.Kind(rawValue: kindText) else {
            throw ScenesError.invalidCorrection(sceneID: sceneID, reason: "stored correction \(id) has unknown kind \"\(kindText)\"")
        }
        return try SceneCorrection(sceneID: sceneID, kind: kind, index: row.decode(atIndex: 3), oldValue: row.decode(atIndex: 4),
                                   newValue: row.decode(atIndex: 5), timestamp: Date(timeIntervalSince1970: row.decode(atIndex: 6)))
    }
}
