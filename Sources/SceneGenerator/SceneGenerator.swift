import Foundation
import Imaging
import Scenes

/// One relation of a generated scene, with indices into ``GeneratedScene/objects``.
public struct GeneratedRelation: Sendable, Equatable {
    public var triple: Triple
    public var subject: Int
    public var object: Int
}

/// A rendered scene with everything a dataset record needs.
public struct GeneratedScene: Sendable {
    /// Position in the generator's stream.
    public let index: Int
    /// The record id, the zero-padded index.
    public let id: String
    /// The lower-case action caption.
    public let action: String
    public let denseCaption: String
    /// Each object's name and tight pixel box.
    public let objects: [SceneObject]
    /// Main relation first.
    public let relations: [GeneratedRelation]
    public let split: SceneSplit
    /// `true` when the scene holds a held-out composition (then `split` is `.test`).
    public let unseen: Bool
    /// The held-out compositions the scene holds, e.g. `"triple: ball under chair"`.
    public let heldOutCompositions: [String]
    /// The picture, `width × height` RGB.
    public let image: RGBImage
    /// The layout the picture was drawn from (for tests).
    let scene: Scene

    /// The focused-region image of relation `k`: the image, black outside the union of its two boxes.
    public func regionImage(_ k: Int) -> RGBImage {
        SceneRenderer.focusedRegion(image, box: regionBox(k))
    }

    /// The union of the subject's and object's boxes of relation `k`.
    public func regionBox(_ k: Int) -> PixelBox {
        let r = relations[k]
        return objects[r.subject].box.union(objects[r.object].box)
    }

    /// The picture's path inside a dataset folder: `images/ID.jpg`.
    public var imagePath: String { "\(DatasetWriter.imagesFolder)/\(id).jpg" }

    /// Relation `k`'s focused-region path inside a dataset folder: `regions/ID_K.jpg`.
    public func regionPath(_ k: Int) -> String { "\(DatasetWriter.regionsFolder)/\(id)_\(k).jpg" }

    /// The scene's record in the reference format as the dataset in `directory` holds it: picture and regions at
    /// ``imagePath`` and ``regionPath(_:)`` inside it, the split and `unseen` stated, record `index` of its
    /// `metadata.json` (what ``Scenes/SceneDataset/load(_:options:)`` reads back).
    public func record(in directory: URL) -> SceneRecord {
        let folder = directory.standardizedFileURL
        return SceneRecord(
            id: id, imagePath: folder.appendingPathComponent(imagePath), action: action, denseCaption: denseCaption,
            objects: objects,
            relations: relations.enumerated().map { k, r in
                SceneRelation(subject: r.triple.subject.name, predicate: r.triple.predicate.text,
                              object: r.triple.object.name, regionPath: folder.appendingPathComponent(regionPath(k)))
            },
            declaredSplit: split, unseen: unseen, sourceFile: folder.appendingPathComponent("metadata.json"),
            indexInFile: index)
    }
}

/// Generates synthetic scenario scenes: deterministic for a seed, each scene independent of the others.
public struct SceneGenerator: Sendable {
    public static let minimumWidth = 96
    public static let minimumHeight = 64

    public let seed: UInt64
    public let width: Int
    public let height: Int
    public let heldOut: HeldOutDesign
    /// Share of scenes built around a held-out composition (all of them go to the test split).
    public let unseenFraction: Double
    /// Shares of the remaining scenes in train and validation (the rest is test).
    public let trainFraction: Double, valFraction: Double

    /// - Throws: ``GeneratorError/imageTooSmall(width:height:)`` below 96×64 or when wider than 4× the height.
    public init(seed: UInt64, width: Int = 256, height: Int = 192, heldOut: HeldOutDesign = .standard,
                unseenFraction: Double = 0.1, trainFraction: Double = 0.7, valFraction: Double = 0.1) throws {
        guard width >= Self.minimumWidth, height >= Self.minimumHeight, width <= 8192, height <= 8192,
              Double(width) >= Double(height) * 0.9
        else { throw GeneratorError.imageTooSmall(width: width, height: height) }
        self.seed = seed
        self.width = width
        self.height = height
        self.heldOut = heldOut
        self.unseenFraction = unseenFraction
        self.trainFraction = trainFraction
        self.valFraction = valFraction
    }

    /// The actions that may appear outside the test split.
    public var seenActions: [SceneAction] { SceneAction.all.filter { !heldOut.actions.contains($0.name) } }

    /// The layout of scene `index` and its split, before rendering.
    func compose(_ index: Int) throws -> (scene: Scene, split: SceneSplit, held: [String]) {
        var rng = SceneRNG(seed: seed, stream: UInt64(index))
        let unseen = rng.chance(unseenFraction)
        var split: SceneSplit = .test
        if !unseen {
            let u = rng.unit()
            split = u < trainFraction ? .train : (u < trainFraction + valFraction ? .val : .test)
        }
        // What an unseen scene must hold.
        enum Target { case action(String), triple(Triple), pair(HeldOutDesign.ActionObject) }
        var target: Target?
        if unseen {
            let options = heldOut.actions.map { Target.action($0) } + heldOut.triples.map { Target.triple($0) }
                + heldOut.actionObjects.map { Target.pair($0) }
            if !options.isEmpty { target = rng.pick(options) }
        }
        let seen = seenActions
        // Keep the drawn action across failed layouts so actions that are harder to fit are not under-represented.
        var chosen = rng.pick(seen)
        var isTriple = false
        if case .triple? = target { isTriple = true }
        for attempt in 0..<4000 {
            if attempt > 0 && (isTriple || attempt % 50 == 0) { chosen = rng.pick(seen) }
            var action = chosen
            var wanted: [ObjectKind] = [], eager: [ObjectKind] = []
            switch target {
            case .action(let name)?: action = SceneAction.named(name) ?? action
            case .pair(let pair)?:
                action = SceneAction.named(pair.action) ?? action
                wanted = [pair.object]
            case .triple(let t)?:
                if [.on, .under, .above].contains(t.predicate) {
                    wanted = [t.object]
                    eager = [t.subject]
                } else {
                    wanted = [t.object, t.subject]
                }
            case nil: break
            }
            let settings = wanted.isEmpty ? action.settings : action.settings.filter { s in
                (wanted + eager).allSatisfy { k in SceneComposer.kinds(in: s).contains(k) || action.triple.subject == k
                    || action.triple.object == k }
            }
            guard !settings.isEmpty else { continue }
            let place = rng.pick(Place.places(in: rng.pick(settings)))
            var exclude = Set<ObjectKind>()
            if target == nil {
                for pair in heldOut.actionObjects where pair.action == action.name { exclude.insert(pair.object) }
            }
            var composer = SceneComposer(width: width, height: height, rng: rng)
            composer.wanted = wanted
            composer.eager = eager
            let scene = composer.compose(action: action, place: place, exclude: exclude)
            rng = composer.rng
            guard let scene else { continue }
            let held = heldOut.compositions(in: scene)
            switch target {
            case nil where held.isEmpty: return (scene, split, held)
            case .action(let name)? where held.contains("action: \(name)"): return (scene, split, held)
            case .triple(let t)? where held.contains("triple: \(t)"): return (scene, split, held)
            case .pair(let p)? where held.contains("action+object: \(p.action) + \(p.object.name)"):
                return (scene, split, held)
            default: continue
            }
        }
        let name: String
        switch target {
        case .action(let a)?: name = a
        case .triple(let t)?: name = t.description
        case .pair(let p)?: name = "\(p.action) + \(p.object.name)"
        case nil: name = "any seen action"
        }
        throw GeneratorError.noComposition(index: index, target: name)
    }

    /// Renders scene `index` of this generator's stream.
    /// - Throws: ``GeneratorError/noComposition(index:target:)`` when no layout fits (tiny images).
    public func scene(at index: Int) throws -> GeneratedScene {
        let (scene, split, held) = try compose(index)
        let noiseSeed = SceneRNG(seed: seed ^ 0xA5A5_5A5A_0F0F_F0F0, stream: UInt64(index)).peek()
        let rendered = SceneRenderer.render(scene, noiseSeed: noiseSeed)
        let objects = zip(scene.objects, rendered.boxes).map { SceneObject(name: $0.kind.name, box: $1) }
        let relations = scene.relations.map {
            GeneratedRelation(triple: scene.triple($0), subject: $0.subject, object: $0.object)
        }
        var id = String(index)
        if id.count < 6 { id = String(repeating: "0", count: 6 - id.count) + id }
        return GeneratedScene(index: index, id: id, action: scene.action.name, denseCaption: Caption.dense(for: scene),
                              objects: objects, relations: relations, split: split, unseen: !held.isEmpty,
                              heldOutCompositions: held, image: rendered.image, scene: scene)
    }
}

extension SceneRNG {
    /// The first value of this stream.
    func peek() -> UInt64 {
        var copy = self
        return copy.next()
    }
}
