import ArgumentParser
import CommandSupport
import Foundation
import Imaging
import Numerics
import SceneImport

/// `scenarioclip bench import`: `dataset import visual-genome` on a generated Visual Genome-shaped source.
struct BenchImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Visual Genome import speed and peak memory on a generated source.",
        discussion: """
            Writes image_data.json, objects.json and relationships.json in Visual Genome's layout (full VG: \
            --images 108077 with the default 35 objects and 21.4 relationships per image) and one photo-like \
            JPEG hard-linked under every image's file name, then imports them as `dataset import visual-genome` \
            does and reports images/s, relations/s and the process's peak resident memory (VmHWM).
            """)

    @Option(help: "Images in the generated source.") var images = 2000
    @Option(help: "Objects per image.") var objectsPerImage = 35
    @Option(help: "Relationships per image (Visual Genome: 2.3M / 108k ≈ 21.4).") var relationsPerImage = 21.4
    @Option(help: "Picture size WxH.") var size = "500x375"
    @Flag(help: "Do not cut regions (parsing, lookup and writing metadata only).") var noRegions = false
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "Folder for the generated source and the output (default: a temporary folder, removed after).")
    var folder: String?

    func validate() throws {
        guard images > 0, objectsPerImage > 1, relationsPerImage >= 0 else {
            throw ValidationError("--images and --objects-per-image must be positive (objects at least 2), relations not negative")
        }
        guard parseSize() != nil else { throw ValidationError("--size must be WxH") }
    }

    private func parseSize() -> (Int, Int)? {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 && parts[0] >= 16 && parts[1] >= 16 ? (parts[0], parts[1]) : nil
    }

    func run() throws {
        let root = folder.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("scenarioclip-bench-import-\(ProcessInfo.processInfo.processIdentifier)")
        let source = root.appendingPathComponent("source"), out = root.appendingPathComponent("out")
        let pictures = source.appendingPathComponent("VG_100K")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        defer { if folder == nil { try? FileManager.default.removeItem(at: root) } }
        let (width, height) = parseSize()!

        let generateStart = Date()
        let relationCount = try generate(into: source, pictures: pictures, width: width, height: height)
        let generated = Date().timeIntervalSince(generateStart)
        let sizes = ["image_data.json", "objects.json", "relationships.json"].map { name in
            ((try? FileManager.default.attributesOfItem(atPath: source.appendingPathComponent(name).path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        print("bench import: \(images) images, \(relationCount) relationships, \(width)x\(height) pictures, threads \(threads ?? Parallel.threadCount ?? BLAS.threadCount), regions \(noRegions ? "off" : "on")")
        print(String(format: "source: image_data %.1f MB, objects %.1f MB, relationships %.1f MB (generated in %.1f s)",
                     Double(sizes[0]) / 1e6, Double(sizes[1]) / 1e6, Double(sizes[2]) / 1e6, generated))

        let options = ImportOptions(pictureFolders: [pictures], actionSource: .relation, threads: threads, cutRegions: !noRegions)
        let importer = try SceneImporter(output: out, sourceFile: source.appendingPathComponent("objects.json").path, options: options)
        let reporter = ProgressReporter(label: "import", unit: "KB")
        let start = Date()
        let leftOut = try VisualGenomeImporter.stream(
            imageData: source.appendingPathComponent("image_data.json"), objects: source.appendingPathComponent("objects.json"),
            relationships: source.appendingPathComponent("relationships.json"),
            progress: { done, total in reporter.update(done: done >> 10, total: total >> 10, elapsed: Date().timeIntervalSince(start)) }
        ) { try importer.add($0) }
        importer.countLeftOut(leftOut)
        let summary = try importer.finish()
        reporter.finish()
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "import: %.1f s, %.0f images/s, %.0f relations/s, %d regions cut, peak memory %.0f MB",
                     seconds, Double(summary.records) / seconds, Double(summary.relations) / seconds, summary.regionsWritten,
                     Double(ProcessMemory.peakResidentBytes ?? 0) / 1e6))
    }

    /// Writes the three files (streamed, so generation memory stays small) and the hard-linked pictures; returns
    /// the number of relationships.
    private func generate(into source: URL, pictures: URL, width: Int, height: Int) throws -> Int {
        let photo = pictures.appendingPathComponent("photo.jpg")
        try JPEG.write(BenchImagesCommand.syntheticPhoto(width: width, height: height), to: photo, quality: 90)
        var photos = [photo]
        let names = ["man", "woman", "shirt", "tree", "building", "window", "car", "sign", "table", "plate", "dog", "hand",
                     "head", "grass", "sky", "wall", "floor", "street", "pole", "light", "hair", "leg", "chair", "cup"]
        let predicates = ["on", "has", "wearing", "of", "in", "near", "behind", "ON", "holding ", "sitting on", "next to", "above"]
        var rng = SplitMix64(seed: 18)
        func writer(_ name: String) throws -> FileHandle {
            let url = source.appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ValidationError("cannot create \(url.path)")
            }
            guard let h = FileHandle(forWritingAtPath: url.path) else { throw ValidationError("cannot write \(url.path)") }
            return h
        }
        let imageData = try writer("image_data.json"), objects = try writer("objects.json"), relationships = try writer("relationships.json")
        defer { try? imageData.close(); try? objects.close(); try? relationships.close() }
        var bufI = "[", bufO = "[", bufR = "["
        var relationCount = 0, objectId = 1, relationId = 1
        func box() -> (Int, Int, Int, Int) {
            let w = 8 + Int(rng.next() % UInt64(width / 2)), h = 8 + Int(rng.next() % UInt64(height / 2))
            return (Int(rng.next() % UInt64(width - w)), Int(rng.next() % UInt64(height - h)), w, h)
        }
        for i in 1...images {
            let file = "\(i).jpg"
            // A file takes at most 65,000 links on ext4: each run of 60,000 pictures links to a copy of its own.
            if i > 1 && (i - 1) % 60_000 == 0 {
                let copy = pictures.appendingPathComponent("photo-\(i).jpg")
                try FileManager.default.copyItem(at: photos[0], to: copy)
                photos.append(copy)
            }
            if link(photos[photos.count - 1].path, pictures.appendingPathComponent(file).path) != 0 && errno != EEXIST {
                throw ValidationError("cannot link \(file): \(String(cString: strerror(errno)))")
            }
            let sep = i == 1 ? "" : ", "
            bufI += "\(sep){\"width\": \(width), \"url\": \"https://cs.stanford.edu/people/rak248/VG_100K/\(file)\", \"height\": \(height), \"image_id\": \(i), \"coco_id\": null, \"flickr_id\": \(1000 + i)}"
            var objs: [(id: Int, name: String, b: (Int, Int, Int, Int))] = []
            var o = "\(sep){\"image_id\": \(i), \"objects\": ["
            for k in 0..<objectsPerImage {
                let b = box(), name = names[Int(rng.next() % UInt64(names.count))]
                objs.append((objectId, name, b))
                o += "\(k == 0 ? "" : ", "){\"synsets\": [\"\(name).n.01\"], \"h\": \(b.3), \"object_id\": \(objectId), \"merged_object_ids\": [], \"names\": [\"\(name)\"], \"w\": \(b.2), \"y\": \(b.1), \"x\": \(b.0)}"
                objectId += 1
            }
            bufO += o + "], \"image_url\": \"https://cs.stanford.edu/people/rak248/VG_100K/\(file)\"}"
            let whole = Int(relationsPerImage), fraction = relationsPerImage - Double(whole)
            let count = whole + (Double(rng.next() % 1000) / 1000 < fraction ? 1 : 0)
            var r = "\(sep){\"relationships\": ["
            for k in 0..<count {
                let s = objs[Int(rng.next() % UInt64(objs.count))], t = objs[Int(rng.next() % UInt64(objs.count))]
                let p = predicates[Int(rng.next() % UInt64(predicates.count))]
                func party(_ x: (id: Int, name: String, b: (Int, Int, Int, Int)), _ key: String) -> String {
                    "{\"name\": \"\(x.name)\", \"h\": \(x.b.3), \"synsets\": [\"\(x.name).n.01\"], \"object_id\": \(x.id), \"w\": \(x.b.2), \"y\": \(x.b.1), \"x\": \(x.b.0)}"
                }
                r += "\(k == 0 ? "" : ", "){\"predicate\": \"\(p)\", \"object\": \(party(t, "object")), \"relationship_id\": \(relationId), \"synsets\": [\"on.r.01\"], \"subject\": \(party(s, "subject"))}"
                relationId += 1
            }
            relationCount += count
            bufR += r + "], \"image_id\": \(i)}"
            if bufR.utf8.count > 1 << 22 || i == images {
                if i == images { bufI += "]"; bufO += "]"; bufR += "]" }
                imageData.write(Data(bufI.utf8)); objects.write(Data(bufO.utf8)); relationships.write(Data(bufR.utf8))
                bufI = ""; bufO = ""; bufR = ""
            }
        }
        for linked in photos { try? FileManager.default.removeItem(at: linked) }
        return relationCount
    }
}
