import Imaging

/// One `metadata.json` record in the reference format, plus the generator's `split` and `unseen` fields.
public struct DatasetRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var imagePath: String
    public var action: String
    public var denseCaption: String
    /// `[name, [x1, y1, x2, y2]]` pairs.
    public var objects: [(name: String, box: PixelBox)]
    /// `[region_path, [subject, predicate, object]]` pairs.
    public var relations: [(regionPath: String, triple: [String])]
    public var split: Split
    public var unseen: Bool

    enum CodingKeys: String, CodingKey {
        case id, imagePath = "image_path", action, denseCaption = "dense_caption", objects, relations, split, unseen
    }

    /// The record of `scene` with images stored as `images/ID.jpg` and regions as `regions/ID_K.jpg`.
    public init(_ scene: GeneratedScene) {
        id = scene.id
        imagePath = "\(DatasetWriter.imagesFolder)/\(scene.id).jpg"
        action = scene.action
        denseCaption = scene.denseCaption
        objects = scene.objects.map { ($0.name, $0.box) }
        relations = scene.relations.enumerated().map { k, r in
            ("\(DatasetWriter.regionsFolder)/\(scene.id)_\(k).jpg",
             [r.triple.subject.name, r.triple.predicate.text, r.triple.object.name])
        }
        split = scene.split
        unseen = scene.unseen
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(imagePath, forKey: .imagePath)
        try c.encode(action, forKey: .action)
        try c.encode(denseCaption, forKey: .denseCaption)
        var objs = c.nestedUnkeyedContainer(forKey: .objects)
        for o in objects {
            var pair = objs.nestedUnkeyedContainer()
            try pair.encode(o.name)
            try pair.encode([o.box.x1, o.box.y1, o.box.x2, o.box.y2])
        }
        var rels = c.nestedUnkeyedContainer(forKey: .relations)
        for r in relations {
            var pair = rels.nestedUnkeyedContainer()
            try pair.encode(r.regionPath)
            try pair.encode(r.triple)
        }
        try c.encode(split, forKey: .split)
        try c.encode(unseen, forKey: .unseen)
    }

    public static func == (a: DatasetRecord, b: DatasetRecord) -> Bool {
        a.id == b.id && a.imagePath == b.imagePath && a.action == b.action && a.denseCaption == b.denseCaption
            && a.objects.map(\.name) == b.objects.map(\.name) && a.objects.map(\.box) == b.objects.map(\.box)
            && a.relations.map(\.regionPath) == b.relations.map(\.regionPath)
            && a.relations.map(\.triple) == b.relations.map(\.triple) && a.split == b.split && a.unseen == b.unseen
    }
}
