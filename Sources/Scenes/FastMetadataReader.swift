import Dispatch
import Foundation
import Imaging

/// The fast path of ``DatasetLoader``: reads a metadata file `{"data": [record, …]}` with
/// ``FastJSONReader`` and builds the records that are entirely clean straight from the bytes, without an
/// intermediate value tree or Foundation's untyped values.
///
/// It never reports a problem itself. A record it cannot vouch for (anything unusual: a missing or mistyped
/// field, an empty or inverted box, a relation naming an unknown object, an escaped string, …) is handed back
/// as its byte range, which the loader parses with Foundation and validates exactly as before; when the file
/// as a whole is not in the plain shape (or its syntax is doubtful) the reader returns `nil` and the loader
/// reads the whole file the old way, so every problem is still reported with the same file, record, field,
/// line and column.
///
/// Large files are read in two halves at once: the second half starts at a guessed element boundary near the
/// middle, and is kept only if reading the first half arrives exactly there (otherwise the first reader just
/// carries on alone), so the result never depends on the guess.
struct FastMetadataReader {
    /// What one metadata file holds.
    struct Contents {
        /// The clean records, in file order (``SceneRecord/indexInFile`` is their position in `data`).
        var records: [SceneRecord] = []
        /// Elements the loader must parse and validate itself: position in `data` and byte range, in order.
        var deferred: [(index: Int, range: Range<Int>)] = []
        /// Number of elements of `data`.
        var count = 0

        /// Appends `other`, read from the elements after these (its records are copied once, then renumbered
        /// in place).
        mutating func append(_ other: Contents) {
            let offset = count
            let first = records.count
            records.append(contentsOf: other.records)
            for i in first..<records.count { records[i].indexInFile += offset }
            deferred.append(contentsOf: other.deferred.map { (index: $0.index + offset, range: $0.range) })
            count += other.count
        }
    }

    /// Files at least this long are read in two halves on two threads.
    static let defaultSplitSize = 1 << 21

    /// The contents of the metadata file `data` (read from `file` in `folder`), or `nil` when the whole file
    /// must take the full path. Files of at least `splitSize` bytes are read in two halves concurrently.
    static func contents(of data: Data, file: URL, folder: URL, splitSize: Int = defaultSplitSize) -> Contents? {
        let folderPath = folder.path
        return data.withUnsafeBytes { raw -> Contents? in
            var reader = FastJSONReader(bytes: raw)
            do {
                try reader.expect(UInt8(ascii: "{"))
                guard reader.peek() == UInt8(ascii: "\""), try reader.string() == "data" else { return nil }
                try reader.expect(UInt8(ascii: ":"))
                try reader.expect(UInt8(ascii: "["))
                if reader.peek() == UInt8(ascii: "]") {
                    reader.position += 1
                    try closeFile(&reader)
                    return Contents()
                }
            } catch {
                return nil
            }
            let first = reader.position
            if raw.count - first >= max(splitSize, 2), let guess = splitGuess(in: raw, after: first + (raw.count - first) / 2) {
                return readInHalves(raw, from: first, guess: guess, file: file, folderPath: folderPath)
            }
            var parser = RecordParser(file: file, folderPath: folderPath)
            let outcome = parser.elements(&reader, stopAt: nil)
            return outcome.end == .ended ? outcome.contents : nil
        }
    }

    /// The end of the file after `data`'s closing bracket: `}` and nothing but whitespace.
    private static func closeFile(_ reader: inout FastJSONReader) throws(FastJSONReader.Decline) {
        try reader.expect(UInt8(ascii: "}"))
        guard reader.peek() == nil else { throw FastJSONReader.Decline() }
    }

    /// A likely element start at or after `position`: a `{` whose previous non-blank byte is a comma. Only a
    /// guess (the brace may sit inside a string or a nested value); ``readInHalves`` checks it.
    static func splitGuess(in bytes: UnsafeRawBufferPointer, after position: Int) -> Int? {
        var k = max(position, 1)
        while k < bytes.count {
            if bytes[k] == UInt8(ascii: "{") {
                var before = k - 1
                while before > 0, bytes[before] == 0x20 || bytes[before] == 0x0A || bytes[before] == 0x0D || bytes[before] == 0x09 {
                    before -= 1
                }
                if bytes[before] == UInt8(ascii: ",") { return k }
            }
            k += 1
        }
        return nil
    }

    /// Two readers at once: one from `start` that stops where an element begins at or after `guess`, one from
    /// `guess` to the end of the file. The second one's work is used only when the first stops exactly at
    /// `guess`, i.e. when the guess was a real element boundary of `data`.
    static func readInHalves(
        _ raw: UnsafeRawBufferPointer, from start: Int, guess: Int, file: URL, folderPath: String
    ) -> Contents? {
        final class Halves: @unchecked Sendable {
            // @unchecked Sendable: each half is written by one thread only, and read after both have finished.
            var head = RecordParser.Outcome(end: .declined)
            var tail = RecordParser.Outcome(end: .declined)
            let bytes: UnsafeRawBufferPointer
            init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
        }
        let halves = Halves(bytes: raw)
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            var parser = RecordParser(file: file, folderPath: folderPath)
            var reader = FastJSONReader(bytes: halves.bytes, position: half == 0 ? start : guess)
            if half == 0 {
                halves.head = parser.elements(&reader, stopAt: guess)
            } else {
                halves.tail = parser.elements(&reader, stopAt: nil)
            }
        }
        // The halves are joined in place in `halves.head` (its records are not copied).
        switch halves.head.end {
        case .declined:
            return nil
        case .ended:
            return halves.head.contents  // the guess lay inside the last element
        case .stopped(let position) where position == guess:
            guard halves.tail.end == .ended else { return nil }
            halves.head.contents.append(halves.tail.contents)
            return halves.head.contents
        case .stopped(let position):
            // A wrong guess: read the rest here.
            var parser = RecordParser(file: file, folderPath: folderPath)
            var reader = FastJSONReader(bytes: raw, position: position)
            let rest = parser.elements(&reader, stopAt: nil)
            guard rest.end == .ended else { return nil }
            halves.head.contents.append(rest.contents)
            return halves.head.contents
        }
    }

    /// Reads `data`'s elements and builds clean records from their bytes.
    struct RecordParser {
        /// What reading a run of elements gave and how it ended.
        struct Outcome {
            enum End: Equatable {
                /// The list and the file ended properly.
                case ended
                /// An element begins at `position` ≥ the stop position; reading stopped before it.
                case stopped(at: Int)
                /// The file is not in the plain shape; the whole file takes the full path.
                case declined
            }

            /// The elements read (meaningless when declined).
            var contents = Contents()
            var end: End
        }

        let file: URL
        let folderPath: String
        /// Texts read so far (names, actions, captions, predicates).
        private var texts = InternedTexts()
        /// Resolved paths by their text in the metadata.
        private var paths = InternedTexts()

        init(file: URL, folderPath: String) {
            self.file = file
            self.folderPath = folderPath
        }

        typealias Decline = FastJSONReader.Decline

        /// Elements from the reader's position (the start of an element) to the end of the file, or until an
        /// element would start at or after `stop`.
        mutating func elements(_ reader: inout FastJSONReader, stopAt stop: Int?) -> Outcome {
            var contents = Contents()
            do {
                while true {
                    reader.skipWhitespace()
                    let start = reader.position
                    if let stop, start >= stop { return Outcome(contents: contents, end: .stopped(at: start)) }
                    do {
                        contents.records.append(try record(&reader, index: contents.count))
                    } catch {
                        reader.position = start
                        try reader.skipValue()
                        contents.deferred.append((index: contents.count, range: start..<reader.position))
                    }
                    contents.count += 1
                    switch reader.peek() {
                    case UInt8(ascii: ","): reader.position += 1
                    case UInt8(ascii: "]"):
                        reader.position += 1
                        try FastMetadataReader.closeFile(&reader)
                        return Outcome(contents: contents, end: .ended)
                    default: return Outcome(end: .declined)
                    }
                }
            } catch {
                return Outcome(end: .declined)
            }
        }

        /// The members of a record the reader knows.
        private enum Key: Int {
            case id, imagePath, action, denseCaption, split, unseen, objects, relations, other

            init(_ name: UnsafeRawBufferPointer) {
                func equals(_ key: StaticString) -> Bool {
                    key.utf8CodeUnitCount == name.count && memcmp(key.utf8Start, name.baseAddress!, name.count) == 0
                }
                switch name.count {
                case 2 where equals("id"): self = .id
                case 5 where equals("split"): self = .split
                case 6 where equals("action"): self = .action
                case 6 where equals("unseen"): self = .unseen
                case 7 where equals("objects"): self = .objects
                case 9 where equals("relations"): self = .relations
                case 10 where equals("image_path"): self = .imagePath
                case 13 where equals("dense_caption"): self = .denseCaption
                default: self = .other
                }
            }
        }

        /// One clean record (at its `{`), mirroring ``DatasetLoader/parseRecord(_:index:file:folder:)`` for a
        /// record without problems; declines for anything the full validator would comment on.
        mutating func record(_ reader: inout FastJSONReader, index: Int) throws(Decline) -> SceneRecord {
            try reader.expect(UInt8(ascii: "{"))
            var seen = 0
            var otherKeys: [String] = []
            var id: String?, imageFile: String?, action: String?, denseCaption: String?
            var split: SceneSplit?, unseen: Bool?
            var objects: [SceneObject]?, relations: [SceneRelation]?
            while true {
                guard reader.peek() == UInt8(ascii: "\"") else { throw Decline() }
                let (range, ascii) = try reader.stringBytes()
                let name = UnsafeRawBufferPointer(rebasing: reader.bytes[range])
                let key = Key(name)
                if key == .other {
                    let text = try FastJSONReader.text(name, ascii: ascii)
                    guard !otherKeys.contains(text) else { throw Decline() }
                    otherKeys.append(text)
                } else {
                    guard seen & (1 << key.rawValue) == 0 else { throw Decline() }
                    seen |= 1 << key.rawValue
                }
                try reader.expect(UInt8(ascii: ":"))
                guard let first = reader.peek() else { throw Decline() }
                switch key {
                case .id:
                    if first == UInt8(ascii: "\"") {
                        let text = try plainText(&reader)
                        guard !text.isEmpty else { throw Decline() }
                        id = text
                    } else {
                        let value = try number(&reader)
                        guard value.rounded() == value && abs(value) < 9e15 else { throw Decline() }
                        id = String(Int64(value))
                    }
                case .imagePath:
                    imageFile = try path(&reader)
                case .action:
                    action = try text(&reader)
                case .denseCaption:
                    denseCaption = first == UInt8(ascii: "n") ? try null(&reader) : try text(&reader)
                case .split:
                    if first != UInt8(ascii: "n") {
                        guard let value = SceneSplit(rawValue: try text(&reader)) else { throw Decline() }
                        split = value
                    } else {
                        try reader.literal("null")
                    }
                case .unseen:
                    switch first {
                    case UInt8(ascii: "t"): try reader.literal("true"); unseen = true
                    case UInt8(ascii: "f"): try reader.literal("false"); unseen = false
                    default: try reader.literal("null")
                    }
                case .objects:
                    objects = try objectList(&reader)
                case .relations:
                    relations = try relationList(&reader)
                case .other:
                    _ = try reader.value(depth: 1)
                }
                switch reader.peek() {
                case UInt8(ascii: ","): reader.position += 1
                case UInt8(ascii: "}"): reader.position += 1
                    guard let id, let imageFile, let action, let objects, let relations else { throw Decline() }
                    for relation in relations {
                        guard objects.contains(where: { $0.name == relation.subject }),
                            objects.contains(where: { $0.name == relation.object })
                        else { throw Decline() }
                    }
                    return SceneRecord(
                        id: id, imageFile: imageFile, action: action, denseCaption: denseCaption, objects: objects,
                        relations: relations, declaredSplit: split, unseen: unseen, sourceFile: file, indexInFile: index)
                default: throw Decline()
                }
            }
        }

        /// `null` (returns `nil`).
        private func null(_ reader: inout FastJSONReader) throws(Decline) -> String? {
            try reader.literal("null")
            return nil
        }

        /// A string value, shared with earlier equal ones.
        private mutating func text(_ reader: inout FastJSONReader) throws(Decline) -> String {
            guard reader.peek() == UInt8(ascii: "\"") else { throw Decline() }
            let (range, ascii) = try reader.stringBytes()
            return try texts.text(for: UnsafeRawBufferPointer(rebasing: reader.bytes[range])) { bytes throws(Decline) in
                try FastJSONReader.text(bytes, ascii: ascii)
            }
        }

        /// A string value made anew (ids: unique, not worth keeping in a table).
        private func plainText(_ reader: inout FastJSONReader) throws(Decline) -> String {
            let (range, ascii) = try reader.stringBytes()
            return try FastJSONReader.text(UnsafeRawBufferPointer(rebasing: reader.bytes[range]), ascii: ascii)
        }

        /// A non-empty path string, resolved against the metadata folder (each distinct path once).
        private mutating func path(_ reader: inout FastJSONReader) throws(Decline) -> String {
            guard reader.peek() == UInt8(ascii: "\"") else { throw Decline() }
            let (range, ascii) = try reader.stringBytes()
            guard !range.isEmpty else { throw Decline() }
            let folderPath = folderPath
            return try paths.text(for: UnsafeRawBufferPointer(rebasing: reader.bytes[range])) { bytes throws(Decline) in
                DatasetLoader.resolve(try FastJSONReader.text(bytes, ascii: ascii), inFolder: folderPath)
            }
        }

        /// A number value (not a boolean or anything else).
        private func number(_ reader: inout FastJSONReader) throws(Decline) -> Double {
            switch reader.peek() {
            case UInt8(ascii: "-")?, (UInt8(ascii: "0")...UInt8(ascii: "9"))?: return try reader.number()
            default: throw Decline()
            }
        }

        /// `[[name, [x1, y1, x2, y2]], …]` with non-empty boxes of coordinates below 1e9.
        private mutating func objectList(_ reader: inout FastJSONReader) throws(Decline) -> [SceneObject] {
            try list(&reader) { (builder: inout Self, reader: inout FastJSONReader) throws(Decline) -> SceneObject in
                try reader.expect(UInt8(ascii: "["))
                let name = try builder.text(&reader)
                try reader.expect(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "["))
                var coordinates = (0, 0, 0, 0)
                for k in 0..<4 {
                    if k > 0 { try reader.expect(UInt8(ascii: ",")) }
                    let value = try builder.number(&reader)
                    guard abs(value) < 1e9 else { throw Decline() }
                    switch k {
                    case 0: coordinates.0 = Int(value)
                    case 1: coordinates.1 = Int(value)
                    case 2: coordinates.2 = Int(value)
                    default: coordinates.3 = Int(value)
                    }
                }
                try reader.expect(UInt8(ascii: "]"))
                try reader.expect(UInt8(ascii: "]"))
                let box = PixelBox(x1: coordinates.0, y1: coordinates.1, x2: coordinates.2, y2: coordinates.3)
                guard !box.isEmpty else { throw Decline() }  // also inverted boxes
                return SceneObject(name: name, box: box)
            }
        }

        /// `[[region_path or null, [subject, predicate, object]] (+ one value of negatives), …]`.
        private mutating func relationList(_ reader: inout FastJSONReader) throws(Decline) -> [SceneRelation] {
            try list(&reader) { (builder: inout Self, reader: inout FastJSONReader) throws(Decline) -> SceneRelation in
                try reader.expect(UInt8(ascii: "["))
                var region: String?
                if reader.peek() == UInt8(ascii: "n") {
                    try reader.literal("null")
                } else {
                    region = try builder.path(&reader)
                }
                try reader.expect(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "["))
                let subject = try builder.text(&reader)
                try reader.expect(UInt8(ascii: ","))
                let predicate = try builder.text(&reader)
                try reader.expect(UInt8(ascii: ","))
                let object = try builder.text(&reader)
                try reader.expect(UInt8(ascii: "]"))
                if reader.peek() == UInt8(ascii: ",") {
                    reader.position += 1
                    _ = try reader.value(depth: 3)  // negatives: any valid value, not kept
                }
                try reader.expect(UInt8(ascii: "]"))
                return SceneRelation(subject: subject, predicate: predicate, object: object, regionFile: region)
            }
        }

        /// `[element, …]`: `element` reads each item of a JSON array (possibly empty); anything else declines.
        private mutating func list<Element>(
            _ reader: inout FastJSONReader,
            _ element: (inout Self, inout FastJSONReader) throws(Decline) -> Element
        ) throws(Decline) -> [Element] {
            try reader.expect(UInt8(ascii: "["))
            var items: [Element] = []
            if reader.peek() == UInt8(ascii: "]") {
                reader.position += 1
                return items
            }
            while true {
                items.append(try element(&self, &reader))
                switch reader.peek() {
                case UInt8(ascii: ","): reader.position += 1
                case UInt8(ascii: "]"): reader.position += 1; return items
                default: throw Decline()
                }
            }
        }
    }
}
