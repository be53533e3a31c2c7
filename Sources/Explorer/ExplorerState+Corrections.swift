import EmbeddingCache
import Imaging
import Scenes

/// Which part of a box the arrow keys move while a box is being edited.
public enum BoxEdge: String, Sendable, CaseIterable {
    case whole, left, top, right, bottom

    var next: BoxEdge { BoxEdge.allCases[(BoxEdge.allCases.firstIndex(of: self)! + 1) % BoxEdge.allCases.count] }
}

/// A box being moved or resized from the keyboard (`b` on an object, or `A` for a new one); the picture shows
/// ``box`` live and Enter stores it as a correction.
public struct BoxEdit: Equatable, Sendable {
    /// The object being edited, or `nil` for a new object (its class is asked for on Enter).
    public var objectIndex: Int?
    /// The box before editing (restored by Esc).
    public var original: PixelBox
    public var box: PixelBox
    public var edge: BoxEdge = .whole
    /// Pixels per arrow key press.
    public var step: Int
    /// Where the mouse button went down on the picture (a drag from there to the release draws the box).
    public var pressedAt: PixelPoint?

    public init(objectIndex: Int?, original: PixelBox, box: PixelBox, edge: BoxEdge = .whole, step: Int) {
        self.objectIndex = objectIndex
        self.original = original
        self.box = box
        self.edge = edge
        self.step = step
    }
}

/// A pixel of the scene's picture.
public struct PixelPoint: Equatable, Sendable {
    public var x: Int
    public var y: Int
}

/// What a correction input line edits.
public enum CorrectionField: Equatable, Sendable {
    case action
    case objectClass(Int)
    /// `subject, predicate, object` of relation N.
    case relation(Int)
    /// The class of a new object with this box.
    case newObject(PixelBox)

    var prompt: String {
        switch self {
        case .action: "action: "
        case .objectClass(let i): "class of object \(i): "
        case .relation(let i): "relation \(i) (subject, predicate, object): "
        case .newObject: "class of the new object: "
        }
    }
}

/// Correction keys: `e` edits the focused label, `b` moves / resizes the focused box, `A` adds an object, `D`
/// deletes the focused object or relation, `U` undoes the scene's latest correction and Ctrl-R redoes it.
/// Corrections go to the backend as ``ExplorerEffect/correct(sceneID:change:)``; the scene is then reloaded
/// with every correction applied.
extension ExplorerState {
    /// Handles a correction key; `nil` when `key` is not one.
    mutating func handleCorrectionKey(_ key: Key) -> [ExplorerEffect]? {
        switch key {
        case .char("e"):
            guard let detail = sceneView.detail else { return [] }
            switch sceneView.focus {
            case .list: query.input = InputLine(kind: .correction(.action), text: detail.action)
            case .objects:
                guard detail.objects.indices.contains(sceneView.objectCursor) else { return [] }
                query.input = InputLine(kind: .correction(.objectClass(sceneView.objectCursor)), text: detail.objects[sceneView.objectCursor].name)
            case .relations:
                guard detail.relations.indices.contains(sceneView.relationCursor) else { return [] }
                let r = detail.relations[sceneView.relationCursor]
                query.input = InputLine(kind: .correction(.relation(sceneView.relationCursor)), text: "\(r.subject), \(r.predicate), \(r.object)")
            }
            return []
        case .char("b"):
            guard let detail = sceneView.detail, sceneView.focus == .objects, detail.objects.indices.contains(sceneView.objectCursor) else {
                say("b edits the box of the focused object (Tab to the objects first)")
                return []
            }
            let box = detail.objects[sceneView.objectCursor].box
            marks.boxEdit = BoxEdit(objectIndex: sceneView.objectCursor, original: box, box: box, step: defaultBoxStep(detail))
            sceneView.hitRegion = nil
            return []
        case .char("A"):
            guard let detail = sceneView.detail else { return [] }
            let w = detail.imageWidth, h = detail.imageHeight
            let box = PixelBox(x1: w * 3 / 8, y1: h * 3 / 8, x2: max(w * 5 / 8, w * 3 / 8 + 1), y2: max(h * 5 / 8, h * 3 / 8 + 1))
            marks.boxEdit = BoxEdit(objectIndex: nil, original: box, box: box, step: defaultBoxStep(detail))
            sceneView.hitRegion = nil
            return []
        case .char("D"):
            guard let detail = sceneView.detail else { return [] }
            switch sceneView.focus {
            case .objects where detail.objects.indices.contains(sceneView.objectCursor):
                return correct(.deleteObject(index: sceneView.objectCursor))
            case .relations where detail.relations.indices.contains(sceneView.relationCursor):
                return correct(.deleteRelation(index: sceneView.relationCursor))
            default:
                say("D deletes the focused object or relation")
                return []
            }
        case .char("U"):
            guard let id = sceneView.detail?.id else { return [] }
            return [.undoCorrection(sceneID: id)]
        case .ctrl("r"):
            guard let id = sceneView.detail?.id else { return [] }
            guard let index = marks.redoStack.lastIndex(where: { $0.sceneID == id }) else {
                say("nothing to redo in this scene")
                return []
            }
            let change = marks.redoStack.remove(at: index).change
            return [.correct(sceneID: id, change: change)]
        default:
            return nil
        }
    }

    /// A correction of the scene in view (a new correction clears that scene's redo list).
    mutating func correct(_ change: SceneCorrection.Change) -> [ExplorerEffect] {
        guard let id = sceneView.detail?.id else { return [] }
        marks.redoStack.removeAll { $0.sceneID == id }
        return [.correct(sceneID: id, change: change)]
    }

    /// About a 50th of the picture's larger side, at least 1 pixel.
    func defaultBoxStep(_ detail: SceneDetail) -> Int { max(1, max(detail.imageWidth, detail.imageHeight) / 50) }

    /// Keys while a box is edited: arrows (or h j k l) move the edge or the whole box, Tab picks the edge,
    /// `+` / `-` double or halve the step, Enter stores, Esc restores.
    mutating func handleBoxEditKey(_ key: Key) -> [ExplorerEffect] {
        guard var edit = marks.boxEdit, let detail = sceneView.detail else { marks.boxEdit = nil; return [] }
        var dx = 0, dy = 0
        switch key {
        case .left, .char("h"): dx = -edit.step
        case .right, .char("l"): dx = edit.step
        case .up, .char("k"): dy = -edit.step
        case .down, .char("j"): dy = edit.step
        case .tab: edit.edge = edit.edge.next
        case .backTab: edit.edge = BoxEdge.allCases[(BoxEdge.allCases.firstIndex(of: edit.edge)! + 4) % 5]
        case .char("+"), .char("="): edit.step = min(edit.step * 2, max(detail.imageWidth, detail.imageHeight))
        case .char("-"): edit.step = max(1, edit.step / 2)
        case .escape, .ctrl("c"):
            marks.boxEdit = nil
            say("box edit cancelled")
            return []
        case .enter:
            marks.boxEdit = nil
            if let index = edit.objectIndex {
                guard edit.box != edit.original else { say("box unchanged"); return [] }
                return correct(.objectBox(index: index, box: edit.box))
            }
            query.input = InputLine(kind: .correction(.newObject(edit.box)), text: "")
            return []
        default: break
        }
        edit.box = Self.moved(edit.box, edge: edit.edge, dx: dx, dy: dy, width: detail.imageWidth, height: detail.imageHeight)
        marks.boxEdit = edit
        return []
    }

    /// A click on the picture while a box is edited: the box corner nearest to the pixel clicked moves onto it
    /// (two clicks, near the top-left and the bottom-right, draw a box).
    mutating func placeBoxCorner(x: Int, y: Int, width: Int, height: Int) {
        guard var edit = marks.boxEdit else { return }
        edit.pressedAt = PixelPoint(x: x, y: y)
        let b = edit.box
        let left = abs(x - b.x1) <= abs(x - b.x2), top = abs(y - b.y1) <= abs(y - b.y2)
        let px = min(max(0, x), width - 1), py = min(max(0, y), height - 1)
        if left { edit.box.x1 = min(px, b.x2 - 1) } else { edit.box.x2 = max(px + 1, b.x1 + 1) }
        if top { edit.box.y1 = min(py, b.y2 - 1) } else { edit.box.y2 = max(py + 1, b.y1 + 1) }
        marks.boxEdit = edit
    }

    /// The button released at pixel (`x`, `y`) while a box is edited: after a drag (more than a pixel from where it
    /// was pressed) the box spans the press and the release, limited to the picture; after a click nothing more.
    mutating func finishBoxDrag(x: Int, y: Int, width: Int, height: Int) {
        guard var edit = marks.boxEdit, let start = edit.pressedAt else { return }
        edit.pressedAt = nil
        if abs(x - start.x) > 1 || abs(y - start.y) > 1 {
            let x1 = min(max(0, min(x, start.x)), width - 1), y1 = min(max(0, min(y, start.y)), height - 1)
            edit.box = PixelBox(x1: x1, y1: y1, x2: max(x1 + 1, min(width, max(x, start.x) + 1)),
                                y2: max(y1 + 1, min(height, max(y, start.y) + 1)))
        }
        marks.boxEdit = edit
    }

    /// `box` with `edge` (or the whole box) moved by `dx`, `dy`, kept inside the picture and at least a pixel wide.
    static func moved(_ box: PixelBox, edge: BoxEdge, dx: Int, dy: Int, width: Int, height: Int) -> PixelBox {
        var b = box
        switch edge {
        case .whole:
            let mx = min(max(dx, -b.x1), width - b.x2), my = min(max(dy, -b.y1), height - b.y2)
            b.x1 += mx; b.x2 += mx; b.y1 += my; b.y2 += my
        case .left: b.x1 = min(max(0, b.x1 + dx), b.x2 - 1)
        case .right: b.x2 = max(min(width, b.x2 + dx), b.x1 + 1)
        case .top: b.y1 = min(max(0, b.y1 + dy), b.y2 - 1)
        case .bottom: b.y2 = max(min(height, b.y2 + dy), b.y1 + 1)
        }
        return b
    }

    /// The change typed in a correction line, or `nil` (with a message) when it does not parse.
    mutating func correctionChange(_ field: CorrectionField, text: String) -> SceneCorrection.Change? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { sayError("empty: nothing stored"); return nil }
        switch field {
        case .action: return .action(trimmed)
        case .objectClass(let i): return .objectClass(index: i, name: trimmed)
        case .newObject(let box): return .addObject(name: trimmed, box: box)
        case .relation(let i):
            let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, !parts.contains(where: \.isEmpty) else {
                sayError("a relation is subject, predicate, object (three parts separated by commas)")
                return nil
            }
            return .relation(index: i, subject: parts[0], predicate: parts[1], object: parts[2])
        }
    }

    /// Tab in a correction line: completes the text (the last comma-separated part of a relation) with the next
    /// class from `classes.json` that starts with what was typed.
    mutating func completeCorrection(_ line: inout InputLine, field: CorrectionField) {
        let candidates: [String]
        var head = "", part = line.text
        switch field {
        case .action: candidates = marks.classes.actions
        case .objectClass, .newObject: candidates = marks.classes.objects
        case .relation:
            if let comma = line.text.lastIndex(of: ",") {
                head = String(line.text[...comma]) + " "
                part = line.text[line.text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            }
            let position = line.text.filter { $0 == "," }.count
            candidates = position == 1 ? marks.classes.predicates : marks.classes.objects
        }
        let stem = line.completionStem ?? part
        let matches = candidates.filter { $0.lowercased().hasPrefix(stem.lowercased()) }
        guard !matches.isEmpty else { say("no class starts with \"\(stem)\""); return }
        let next = matches.firstIndex(of: part).map { matches[($0 + 1) % matches.count] } ?? matches[0]
        line.text = head + next
        line.cursor = line.text.count
        line.completionStem = stem
        say(matches.count == 1 ? "" : "\(matches.count) classes start with \"\(stem)\" (Tab for the next)")
    }
}
