import Foundation

/// A writable copy of the `tiny` fixture dataset in a fresh temporary folder.
struct TestDataset {
    let root: URL

    static var fixture: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tiny")
    }

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("scenes-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.copyItem(at: Self.fixture, to: root)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    /// Replaces a file of the dataset with `text`.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: root.appendingPathComponent(name))
    }

    func delete(_ name: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(name))
    }

    /// Writes `metadata.json` with the given records (JSON texts) and removes `metadata_extra.json`.
    func writeRecords(_ records: [String]) throws {
        try write("metadata.json", "{\"data\": [\n" + records.joined(separator: ",\n") + "\n]}")
        try? delete("metadata_extra.json")
    }
}

/// A well-formed record for the tiny dataset's kitchen image; `patch` edits its JSON text.
func kitchenRecord(id: String = "\"k1\"", objects: String? = nil, relations: String? = nil, extra: String = "") -> String {
    let objects = objects ?? #"[["person", [2, 1, 40, 47]], ["cup", [10, 8, 30, 40]]]"#
    let relations = relations ?? #"[["regions/kitchen_0.jpg", ["person", "holding", "cup"]]]"#
    return """
        {"id": \(id), "image_path": "images/kitchen.jpg", "action": "person holding a cup",
         "objects": \(objects), "relations": \(relations)\(extra)}
        """
}
