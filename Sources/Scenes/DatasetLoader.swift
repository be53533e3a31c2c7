import Foundation
import Imaging

/// Reads a dataset folder into records, collecting every problem it meets (see ``SceneDataset/load(from:options:)``).
struct DatasetLoader {
    let options: LoadOptions
    private(set) var problems: [DatasetProblem] = []

    init(options: LoadOptions) {
        self.options = options
    }

    /// Records one problem; throws when the options ask to stop at the first error.
    mutating func report(_ problem: DatasetProblem) throws {
        problems.append(problem)
        if options.stopAtFirstProblem && problem.severity == .error {
            throw ScenesError.invalidDataset(problems)
        }
    }

    // MARK: Files

    /// The metadata files of a dataset location (a folder, or one metadata JSON file) and the folder
    /// holding `classes.json`.
    static func metadataFiles(at url: URL) throws -> (root: URL, files: [URL]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ScenesError.unreadableFolder(url, reason: "no such file or directory")
        }
        if !isDirectory.boolValue {
            return (url.deletingLastPathComponent(), [url])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw ScenesError.unreadableFolder(url, reason: (error as NSError).localizedDescription)
        }
        let files = names.filter { $0.hasPrefix("metadata") && $0.hasSuffix(".json") }.sorted()
            .map { url.appendingPathComponent($0, isDirectory: false) }
        guard !files.isEmpty else { throw ScenesError.noMetadata(url) }
        return (url, files)
    }

    /// Reads and parses one JSON file; syntax errors become a problem with line and column.
    mutating func readJSON(_ file: URL, data known: Data? = nil) throws -> Any? {
        let data: Data
        do {
            data = try known ?? Data(contentsOf: file)
        } catch {
            try report(DatasetProblem(file: file, message: "cannot read file: \((error as NSError).localizedDescription)"))
            return nil
        }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let offset = JSONTextPosition.offset(in: error) ?? data.count
            let position = JSONTextPosition.lineColumn(ofOffset: offset, in: data)
            try report(DatasetProblem(
                file: file, line: position.line, column: position.column,
                message: "malformed JSON: \(JSONTextPosition.reason(of: error))"))
            return nil
        }
    }

    // MARK: classes.json

    /// Parses `classes.json`; `nil` when absent (a warning) or unusable (an error).
    mutating func loadClasses(root: URL) throws -> SceneClasses? {
        let file = root.appendingPathComponent("classes.json", isDirectory: false)
        guard FileManager.default.fileExists(atPath: file.path) else {
            try report(DatasetProblem(
                file: file, message: "classes.json is missing; class lists are derived from the records",
                severity: .warning))
            return nil
        }
        guard let json = try readJSON(file) else { return nil }
        guard let object = json as? [String: Any] else {
            try report(DatasetProblem(file: file, message: "expected an object with actions, objects and relations, found \(JSONValue.kind(json))"))
            return nil
        }
        var lists: [[String]] = []
        for key in ["actions", "objects", "relations"] {
            guard let value = object[key] else {
                try report(DatasetProblem(file: file, field: key, message: "missing list"))
                lists.append([])
                continue
            }
            guard let array = value as? [Any] else {
                try report(DatasetProblem(file: file, field: key, message: "expected a list of strings, found \(JSONValue.kind(value))"))
                lists.append([])
                continue
            }
            var strings: [String] = []
            var seen = Set<String>()
            for (i, element) in array.enumerated() {
                guard let string = JSONValue.string(element) else {
                    try report(DatasetProblem(file: file, field: "\(key)[\(i)]", message: "expected a string, found \(JSONValue.kind(element))"))
                    continue
                }
                if !seen.insert(string).inserted {
                    try report(DatasetProblem(file: file, field: "\(key)[\(i)]", message: "duplicate class \"\(string)\"", severity: .warning))
                    continue
                }
                strings.append(string)
            }
            lists.append(strings)
        }
        return SceneClasses(actions: lists[0], objects: lists[1], relations: lists[2])
    }

    // MARK: Records

    /// Parses every record of one metadata file (records that cannot be built are reported and skipped).
    mutating func loadRecords(of file: URL) throws -> [SceneRecord] {
        let folder = file.deletingLastPathComponent()
        guard options.fastPath else { return try loadRecordsInFull(of: file, folder: folder) }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            try report(DatasetProblem(file: file, message: "cannot read file: \((error as NSError).localizedDescription)"))
            return []
        }
        guard let contents = FastMetadataReader.contents(of: data, file: file, folder: folder, splitSize: options.splitSize) else {
            return try loadRecordsInFull(of: file, folder: folder, data: data)
        }
        if contents.deferred.isEmpty { return contents.records }
        // The full parser has the last word on the text of every deferred element; if it refuses one, the
        // whole file goes the full way so the syntax error is reported with its line and column.
        var deferred: [Any] = []
        deferred.reserveCapacity(contents.deferred.count)
        for element in contents.deferred {
            guard let value = try? JSONSerialization.jsonObject(with: Data(data[element.range]), options: [.fragmentsAllowed]) else {
                return try loadRecordsInFull(of: file, folder: folder, data: data)
            }
            deferred.append(value)
        }
        var records: [SceneRecord] = []
        records.reserveCapacity(contents.count)
        var clean = contents.records.makeIterator()
        var next = clean.next()
        for (element, value) in zip(contents.deferred, deferred) {
            while let record = next, record.indexInFile < element.index {
                records.append(record)
                next = clean.next()
            }
            if let record = try parseRecord(value, index: element.index, file: file, folder: folder) {
                records.append(record)
            }
        }
        while let record = next {
            records.append(record)
            next = clean.next()
        }
        return records
    }

    /// ``loadRecords(of:)`` through Foundation's parser and the untyped validator only.
    private mutating func loadRecordsInFull(of file: URL, folder: URL, data: Data? = nil) throws -> [SceneRecord] {
        guard let json = try readJSON(file, data: data) else { return [] }
        guard let top = json as? [String: Any] else {
            try report(DatasetProblem(file: file, message: "expected an object {\"data\": [...]}, found \(JSONValue.kind(json))"))
            return []
        }
        guard let dataValue = top["data"] else {
            try report(DatasetProblem(file: file, field: "data", message: "missing the \"data\" list of records"))
            return []
        }
        guard let data = dataValue as? [Any] else {
            try report(DatasetProblem(file: file, field: "data", message: "expected a list of records, found \(JSONValue.kind(dataValue))"))
            return []
        }
        var records: [SceneRecord] = []
        records.reserveCapacity(data.count)
        for (index, element) in data.enumerated() {
            if let record = try parseRecord(element, index: index, file: file, folder: folder) {
                records.append(record)
            }
        }
        return records
    }

    /// One record, or `nil` when a required field is missing or unusable.
    mutating func parseRecord(_ value: Any, index: Int, file: URL, folder: URL) throws -> SceneRecord? {
        guard let dict = value as? [String: Any] else {
            try report(DatasetProblem(file: file, recordIndex: index, message: "expected a record object, found \(JSONValue.kind(value))"))
            return nil
        }
        var usable = true
        // id
        var id: String?
        if let raw = dict["id"] {
            id = JSONValue.identifier(raw)
            if id == nil {
                try report(DatasetProblem(file: file, recordIndex: index, field: "id", message: "expected a string or an integer, found \(JSONValue.kind(raw))"))
            }
        } else {
            try report(DatasetProblem(file: file, recordIndex: index, field: "id", message: "missing field"))
        }
        func problem(_ field: String?, _ message: String, _ severity: DatasetProblem.Severity = .error) -> DatasetProblem {
            DatasetProblem(file: file, recordIndex: index, recordID: id, field: field, message: message, severity: severity)
        }
        if id == nil { usable = false }

        let imagePath = try requiredString("image_path", in: dict, problem: problem)
        if let imagePath, imagePath.isEmpty {
            try report(problem("image_path", "empty path"))
            usable = false
        }
        if imagePath == nil { usable = false }
        let action = try requiredString("action", in: dict, problem: problem)
        if action == nil { usable = false }

        var denseCaption: String?
        if let raw = dict["dense_caption"], !(raw is NSNull) {
            denseCaption = JSONValue.string(raw)
            if denseCaption == nil {
                try report(problem("dense_caption", "expected a string, found \(JSONValue.kind(raw))"))
            }
        }

        var declaredSplit: SceneSplit?
        if let raw = dict["split"], !(raw is NSNull) {
            if let text = JSONValue.string(raw), let split = SceneSplit(rawValue: text) {
                declaredSplit = split
            } else {
                try report(problem("split", "expected \"train\", \"val\" or \"test\", found \(JSONValue.describe(raw))"))
            }
        }
        var unseen: Bool?
        if let raw = dict["unseen"], !(raw is NSNull) {
            unseen = JSONValue.bool(raw)
            if unseen == nil {
                try report(problem("unseen", "expected true or false, found \(JSONValue.kind(raw))"))
            }
        }

        let objects = try parseObjects(dict["objects"], problem: problem)
        let relations = try parseRelations(dict["relations"], folder: folder, problem: problem)
        let names = Set(objects.map(\.name))
        for (r, relation) in relations.enumerated() {
            for (slot, name) in [(0, relation.subject), (2, relation.object)] where !names.contains(name) {
                try report(problem("relations[\(r)][1][\(slot)]", "\(slot == 0 ? "subject" : "object") \"\(name)\" is not among the record's objects"))
            }
        }

        guard usable, let id, let imagePath, let action else { return nil }
        return SceneRecord(
            id: id, imageFile: Self.resolve(imagePath, inFolder: folder.path), action: action, denseCaption: denseCaption,
            objects: objects, relations: relations, declaredSplit: declaredSplit, unseen: unseen,
            sourceFile: file, indexInFile: index)
    }

    private mutating func requiredString(
        _ key: String, in dict: [String: Any], problem: (String?, String, DatasetProblem.Severity) -> DatasetProblem
    ) throws -> String? {
        guard let raw = dict[key] else {
            try report(problem(key, "missing field", .error))
            return nil
        }
        guard let string = JSONValue.string(raw) else {
            try report(problem(key, "expected a string, found \(JSONValue.kind(raw))", .error))
            return nil
        }
        return string
    }

    private mutating func parseObjects(
        _ value: Any?, problem: (String?, String, DatasetProblem.Severity) -> DatasetProblem
    ) throws -> [SceneObject] {
        guard let value, !(value is NSNull) else {
            try report(problem("objects", "missing field", .error))
            return []
        }
        guard let list = value as? [Any] else {
            try report(problem("objects", "expected a list of [name, [x1, y1, x2, y2]], found \(JSONValue.kind(value))", .error))
            return []
        }
        var objects: [SceneObject] = []
        objects.reserveCapacity(list.count)
        for (i, entry) in list.enumerated() {
            guard let pair = entry as? [Any], pair.count == 2 else {
                try report(problem("objects[\(i)]", "expected [name, [x1, y1, x2, y2]], found \(JSONValue.describe(entry))", .error))
                continue
            }
            guard let name = JSONValue.string(pair[0]) else {
                try report(problem("objects[\(i)][0]", "expected the object name as a string, found \(JSONValue.kind(pair[0]))", .error))
                continue
            }
            guard let coordinates = JSONValue.numbers(pair[1]), let box = PixelBox(truncating: coordinates) else {
                try report(problem("objects[\(i)][1]", "expected a box [x1, y1, x2, y2] of 4 numbers, found \(JSONValue.describe(pair[1]))", .error))
                continue
            }
            if box.x2 < box.x1 || box.y2 < box.y1 {
                try report(problem("objects[\(i)][1]", "box \(box) has \(box.x2 < box.x1 ? "x2 < x1" : "y2 < y1")", .error))
            } else if box.isEmpty {
                try report(problem("objects[\(i)][1]", "box \(box) is empty (zero width or height)", .error))
            }
            objects.append(SceneObject(name: name, box: box))
        }
        return objects
    }

    private mutating func parseRelations(
        _ value: Any?, folder: URL, problem: (String?, String, DatasetProblem.Severity) -> DatasetProblem
    ) throws -> [SceneRelation] {
        guard let value, !(value is NSNull) else {
            try report(problem("relations", "missing field", .error))
            return []
        }
        guard let list = value as? [Any] else {
            try report(problem("relations", "expected a list of [region_path, [subject, predicate, object]], found \(JSONValue.kind(value))", .error))
            return []
        }
        var relations: [SceneRelation] = []
        relations.reserveCapacity(list.count)
        for (i, entry) in list.enumerated() {
            guard let items = entry as? [Any], items.count == 2 || items.count == 3 else {
                try report(problem("relations[\(i)]", "expected [region_path, [subject, predicate, object]] (+ optional negatives), found \(JSONValue.describe(entry))", .error))
                continue
            }
            var region: String?
            if !(items[0] is NSNull) {
                guard let path = JSONValue.string(items[0]) else {
                    try report(problem("relations[\(i)][0]", "expected the focused-region path as a string, found \(JSONValue.kind(items[0]))", .error))
                    continue
                }
                if path.isEmpty {
                    try report(problem("relations[\(i)][0]", "empty focused-region path", .error))
                } else {
                    region = Self.resolve(path, inFolder: folder.path)
                }
            }
            guard let triple = items[1] as? [Any], triple.count == 3 else {
                try report(problem("relations[\(i)][1]", "expected [subject, predicate, object], found \(JSONValue.describe(items[1]))", .error))
                continue
            }
            var parts: [String] = []
            for (slot, part) in triple.enumerated() {
                if let string = JSONValue.string(part) {
                    parts.append(string)
                } else {
                    try report(problem("relations[\(i)][1][\(slot)]", "expected a string, found \(JSONValue.kind(part))", .error))
                }
            }
            guard parts.count == 3 else { continue }
            relations.append(SceneRelation(subject: parts[0], predicate: parts[1], object: parts[2], regionFile: region))
        }
        return relations
    }

    // MARK: Cross-record checks

    /// Reports ids used by more than one record and returns the records without the later duplicates, with
    /// the position of each id among them.
    mutating func removingDuplicateIDs(_ records: [SceneRecord]) throws -> (records: [SceneRecord], index: [String: Int]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(records.count)
        var duplicates: [Int] = []
        // By position, not `for record in records`: copying each record (its strings, arrays and URL) was a
        // tenth of loading a large dataset.
        for position in records.indices {
            guard let first = index.updateValue(position, forKey: records[position].id) else { continue }
            let record = records[position]
            index[record.id] = first
            let original = records[first]
            let place = original.sourceFile == record.sourceFile
                ? "record #\(original.indexInFile)" : "record #\(original.indexInFile) of \(original.sourceFile.lastPathComponent)"
            try report(DatasetProblem(
                file: record.sourceFile, recordIndex: record.indexInFile, recordID: record.id, field: "id",
                message: "duplicate id, already used by \(place); this record is skipped"))
            duplicates.append(position)
        }
        guard !duplicates.isEmpty else { return (records, index) }
        var kept: [SceneRecord] = []
        kept.reserveCapacity(records.count - duplicates.count)
        var skipped = duplicates.makeIterator()
        var nextSkipped = skipped.next()
        for (position, record) in records.enumerated() {
            if position == nextSkipped {
                nextSkipped = skipped.next()
                continue
            }
            index[record.id] = kept.count
            kept.append(record)
        }
        return (kept, index)
    }

    /// Reports labels missing from `classes.json`.
    mutating func checkLabels(_ records: [SceneRecord], against classes: SceneClasses) throws {
        let actions = Set(classes.actions)
        let objects = Set(classes.objects)
        let relations = Set(classes.relations)
        for position in records.indices where !Self.labelsKnown(records[position], actions: actions, objects: objects, relations: relations) {
            let record = records[position]
            func problem(_ field: String, _ message: String) -> DatasetProblem {
                DatasetProblem(file: record.sourceFile, recordIndex: record.indexInFile, recordID: record.id, field: field, message: message)
            }
            if !actions.contains(record.action) {
                try report(problem("action", "action \"\(record.action)\" is not in classes.json actions"))
            }
            for (i, object) in record.objects.enumerated() where !objects.contains(object.name) {
                try report(problem("objects[\(i)][0]", "object \"\(object.name)\" is not in classes.json objects"))
            }
            for (i, relation) in record.relations.enumerated() where !relations.contains(relation.text) {
                try report(problem("relations[\(i)][1]", "relation \"\(relation.text)\" is not in classes.json relations"))
            }
        }
    }

    /// `true` when every label of `record` is in the class lists (checked without copying the record).
    private static func labelsKnown(_ record: SceneRecord, actions: Set<String>, objects: Set<String>, relations: Set<String>) -> Bool {
        guard actions.contains(record.action) else { return false }
        for object in record.objects where !objects.contains(object.name) { return false }
        for relation in record.relations where !relations.contains(relation.text) { return false }
        return true
    }

    /// Checks image and region files exist and that boxes lie inside their image (reads JPEG headers only).
    mutating func checkImages(_ records: [SceneRecord]) throws {
        var sizes: [String: (width: Int, height: Int)?] = [:]
        var existing: [String: Bool] = [:]
        func exists(_ path: String) -> Bool {
            if let known = existing[path] { return known }
            let value = FileManager.default.fileExists(atPath: path)
            existing[path] = value
            return value
        }
        // Regions are only opened (a FIFO or device is refused without reading); pictures' headers are read.
        var regionReasons: [String: String?] = [:]
        func openable(_ path: String) -> String? {
            if let known = regionReasons[path] { return known }
            var reason: String?
            do { _ = try PictureFile.open(URL(fileURLWithPath: path)) } catch { reason = "\(error)" }
            regionReasons[path] = reason
            return reason
        }
        for record in records {
            func problem(_ field: String, _ message: String, _ severity: DatasetProblem.Severity = .error) -> DatasetProblem {
                DatasetProblem(file: record.sourceFile, recordIndex: record.indexInFile, recordID: record.id, field: field, message: message, severity: severity)
            }
            for (i, relation) in record.relations.enumerated() {
                guard let region = relation.regionFile else { continue }
                if !exists(region) {
                    try report(problem("relations[\(i)][0]", "focused-region file \(region) does not exist"))
                } else if let reason = openable(region) {
                    try report(problem("relations[\(i)][0]", "cannot read focused-region file \(region): \(reason)"))
                }
            }
            let image = record.imageFile
            guard exists(image) else {
                try report(problem("image_path", "image file \(image) does not exist"))
                continue
            }
            let size: (width: Int, height: Int)?
            if let cached = sizes[image] {
                size = cached
            } else {
                do {
                    size = try Picture.readSize(contentsOf: record.imagePath)
                } catch {
                    size = nil
                    try report(problem("image_path", "cannot read image header of \(image): \(error)"))
                }
                sizes[image] = size
            }
            guard let size else { continue }
            for (i, object) in record.objects.enumerated() where !object.box.isEmpty {
                let box = object.box
                if box.x1 >= size.width || box.y1 >= size.height || box.x2 <= 0 || box.y2 <= 0 {
                    try report(problem("objects[\(i)][1]", "box \(box) lies outside the \(size.width)x\(size.height) image"))
                } else if box.x1 < 0 || box.y1 < 0 || box.x2 > size.width || box.y2 > size.height {
                    try report(problem("objects[\(i)][1]", "box \(box) extends beyond the \(size.width)x\(size.height) image; it is clamped", .warning))
                }
            }
        }
    }

    /// A metadata path made absolute: absolute paths are kept, relative ones start at the folder `folderPath`.
    static func resolve(_ path: String, inFolder folderPath: String) -> String {
        if path.hasPrefix("/") { return path }
        return folderPath.hasSuffix("/") ? folderPath + path : folderPath + "/" + path
    }
}
