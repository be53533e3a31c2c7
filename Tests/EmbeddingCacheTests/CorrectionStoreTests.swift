import Foundation
import Imaging
import Scenes
import Testing
@testable import EmbeddingCache

@Suite struct CorrectionStoreTests {
    static func sample() -> [SceneCorrection] {
        [SceneCorrection(sceneID: "s1", change: .objectClass(index: 1, name: "mug"), oldValue: "cup", timestamp: Date(timeIntervalSince1970: 10)),
         SceneCorrection(sceneID: "s2", change: .action("dog chasing a cat"), oldValue: "dog chasing a ball", timestamp: Date(timeIntervalSince1970: 11)),
         SceneCorrection(sceneID: "s1", change: .objectBox(index: 0, box: PixelBox(x1: 1, y1: 2, x2: 3, y2: 4)), oldValue: "0,0,5,5",
                         timestamp: Date(timeIntervalSince1970: 12)),
         SceneCorrection(sceneID: "s1", change: .addObject(name: "ball", box: PixelBox(x1: 0, y1: 0, x2: 8, y2: 8)), timestamp: Date(timeIntervalSince1970: 13))]
    }

    @Test func correctionsPersistInOrderOnAFile() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        do {
            let cache = try EmbeddingCache.open(at: url)
            for c in Self.sample() { try cache.addCorrection(c) }
        }
        let reopened = try EmbeddingCache.open(at: url)
        #expect(try reopened.allCorrections() == Self.sample())
        #expect(try reopened.corrections(for: "s1") == [Self.sample()[0], Self.sample()[2], Self.sample()[3]])
        #expect(try reopened.corrections(for: "nope").isEmpty)
        #expect(try reopened.correctionsByScene()["s2"] == [Self.sample()[1]])
    }

    @Test func undoRemovesTheLatest() throws {
        let cache = try EmbeddingCache.inMemory()
        for c in Self.sample() { try cache.addCorrection(c) }
        #expect(try cache.removeLastCorrection(sceneID: "s2") == Self.sample()[1])
        #expect(try cache.removeLastCorrection() == Self.sample()[3])
        #expect(try cache.allCorrections() == [Self.sample()[0], Self.sample()[2]])
        #expect(try cache.removeLastCorrection(sceneID: "s2") == nil)
    }

    @Test func aDamagedRowIsAnError() throws {
        let cache = try EmbeddingCache.inMemory()
        try cache.writer.write { db in
            try db.execute(sql: "INSERT INTO corrections (scene_id, kind, target_index, old_value, new_value, created_at) VALUES ('s', 'paint', 0, '', '', 0)")
        }
        #expect(throws: ScenesError.self) { try cache.allCorrections() }
    }
}
