import ArgumentParser
import EmbeddingCache
import Foundation
import Imaging
import Scenes

/// `scenarioclip corrections add`: one correction of one scene, checked against the scene and its picture.
struct CorrectionsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store one correction of a scene (exactly one of the changes below).",
        discussion: "N counts from 0 in the scene as it stands after its earlier corrections."
    )

    @OptionGroup var target: CorrectionsDatasetOptions

    @Option(name: .long, help: ArgumentHelp("Scene (record) id.", valueName: "id"))
    var scene: String

    @Option(name: .long, help: ArgumentHelp("New action caption.", valueName: "text"))
    var action: String?

    @Option(name: .long, help: ArgumentHelp("Object to change (with --class or --box).", valueName: "N"))
    var object: Int?

    @Option(name: .customLong("class"), help: ArgumentHelp("New class of --object N.", valueName: "name"))
    var className: String?

    @Option(name: .long, help: ArgumentHelp("New box of --object N (or of --add-object), in picture pixels.", valueName: "x1,y1,x2,y2"))
    var box: String?

    @Option(name: .long, help: ArgumentHelp("Relation to change (with --triple).", valueName: "N"))
    var relation: Int?

    @Option(name: .long, help: ArgumentHelp("New triple of --relation N.", valueName: "subject,predicate,object"))
    var triple: String?

    @Option(name: .long, help: ArgumentHelp("Delete object N.", valueName: "N"))
    var deleteObject: Int?

    @Option(name: .long, help: ArgumentHelp("Delete relation N.", valueName: "N"))
    var deleteRelation: Int?

    @Option(name: .long, help: ArgumentHelp("Add an object of this class (with --box).", valueName: "name"))
    var addObject: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        let given = [action != nil, object != nil, relation != nil, deleteObject != nil, deleteRelation != nil, addObject != nil]
            .filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --action, --object N (--class or --box), --relation N --triple, "
                + "--delete-object N, --delete-relation N, --add-object NAME --box")
        }
        if object != nil && (className == nil) == (box == nil) {
            throw ValidationError("--object N needs exactly one of --class NAME and --box x1,y1,x2,y2")
        }
        if addObject != nil && box == nil { throw ValidationError("--add-object NAME needs --box x1,y1,x2,y2") }
        if box != nil && object == nil && addObject == nil { throw ValidationError("--box goes with --object N or --add-object NAME") }
        if className != nil && object == nil { throw ValidationError("--class goes with --object N") }
        if (relation == nil) != (triple == nil) { throw ValidationError("--relation N and --triple S,P,O go together") }
    }

    /// The change asked for.
    func change() throws -> SceneCorrection.Change {
        func parsedBox() throws -> PixelBox {
            guard let text = box, let parsed = SceneCorrection.parseBox(text) else {
                throw ValidationError("--box \"\(box ?? "")\" is not four integers x1,y1,x2,y2")
            }
            return parsed
        }
        if let action { return .action(action) }
        if let object, let className { return .objectClass(index: object, name: className) }
        if let object { return .objectBox(index: object, box: try parsedBox()) }
        if let relation, let triple {
            let parts = triple.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else { throw ValidationError("--triple \"\(triple)\" is not SUBJECT,PREDICATE,OBJECT") }
            return .relation(index: relation, subject: parts[0], predicate: parts[1], object: parts[2])
        }
        if let deleteObject { return .deleteObject(index: deleteObject) }
        if let deleteRelation { return .deleteRelation(index: deleteRelation) }
        return .addObject(name: addObject ?? "", box: try parsedBox())
    }

    func run() throws {
        let dataset = try target.loadDataset()
        guard let original = dataset.record(id: scene) else { throw ScenesError.unknownRecord(id: scene) }
        let change = try change()
        let cache = try target.openCache(for: dataset)
        let current = try original.applying(try cache.corrections(for: scene))
        var size: (width: Int, height: Int)?
        switch change {
        case .objectBox, .addObject:
            do { size = try JPEG.readSize(contentsOf: original.imagePath) } catch {
                throw ValidationError("cannot read the size of scene \(scene)'s picture \(original.imageFile) to check the box: \(error)")
            }
        default: break
        }
        let correction = try SceneCorrection.make(change, for: current, pictureSize: size)
        try cache.addCorrection(correction)
        let row = CorrectionRow(correction, number: try cache.allCorrections().count)
        if output.json { try printJSON(row) } else { print("stored: \(row.sceneID)  \(row.summary)") }
    }
}
