import Foundation
import Imaging

/// Writes small datasets of flat-colour scenes in the reference format into a temporary folder.
struct TestDataset {
    let root: URL

    struct Scene {
        var id: String
        var file: String
        var colour: [UInt8]
        var action: String
        /// Objects: name, colour, box.
        var objects: [(String, [UInt8], PixelBox)] = []
        var relations: [(String, String, String)] = []
        var split: String? = nil
    }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("images"), withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Paints the scene (background colour, each object's box in its colour) and writes it as JPEG.
    func writeImage(_ scene: Scene) throws {
        var image = RGBImage(width: 32, height: 24)
        for y in 0..<24 { for x in 0..<32 { paint(&image, x, y, scene.colour) } }
        for (_, colour, box) in scene.objects {
            for y in box.y1..<box.y2 { for x in box.x1..<box.x2 { paint(&image, x, y, colour) } }
        }
        try JPEG.write(image, to: root.appendingPathComponent(scene.file), quality: 95)
    }

    private func paint(_ image: inout RGBImage, _ x: Int, _ y: Int, _ colour: [UInt8]) {
        let i = (y * image.width + x) * 3
        image.pixels[i] = colour[0]
        image.pixels[i + 1] = colour[1]
        image.pixels[i + 2] = colour[2]
    }

    /// Writes images (unless `imagesToo` is false), metadata.json and classes.json.
    func write(_ scenes: [Scene], imagesToo: Bool = true, classes: [String: [String]]? = nil) throws {
        if imagesToo { for scene in scenes { try writeImage(scene) } }
        let records: [[String: Any]] = scenes.map { scene in
            var record: [String: Any] = [
                "id": scene.id, "image_path": scene.file, "action": scene.action,
                "objects": scene.objects.map { [$0.0, [$0.2.x1, $0.2.y1, $0.2.x2, $0.2.y2]] as [Any] },
                "relations": scene.relations.map { [NSNull(), [$0.0, $0.1, $0.2]] as [Any] },
            ]
            if let split = scene.split { record["split"] = split }
            return record
        }
        let metadata = try JSONSerialization.data(withJSONObject: ["data": records], options: [.sortedKeys])
        try metadata.write(to: root.appendingPathComponent("metadata.json"))
        let allClasses = classes ?? [
            "actions": ["red scene", "green scene", "blue scene", "yellow scene"],
            "objects": ["red", "green", "blue", "yellow"],
            "relations": ["red near blue", "green near yellow", "blue near red"],
        ]
        try JSONSerialization.data(withJSONObject: allClasses, options: [.sortedKeys])
            .write(to: root.appendingPathComponent("classes.json"))
    }
}
