import Imaging

/// An annotated object of a scene.
public struct ObjectAnnotation: Sendable, Equatable {
    public var name: String
    public var box: PixelBox

    public init(name: String, box: PixelBox) {
        self.name = name
        self.box = box
    }
}

/// An annotated relation triple; `subject`/`object` index the scene's objects when they can be matched.
public struct RelationAnnotation: Sendable, Equatable {
    public var subject: String
    public var predicate: String
    public var object: String
    public var subjectIndex: Int?
    public var objectIndex: Int?
    /// The focused region (union of the two boxes) when known.
    public var region: PixelBox?

    public init(subject: String, predicate: String, object: String, subjectIndex: Int? = nil, objectIndex: Int? = nil, region: PixelBox? = nil) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
        self.subjectIndex = subjectIndex
        self.objectIndex = objectIndex
        self.region = region
    }

    /// `"subject predicate object"`, the relation level's text.
    public var text: String { "\(subject) \(predicate) \(object)" }
}

/// Everything the scene view shows about one scene (the picture is loaded separately).
public struct SceneDetail: Sendable, Equatable {
    public var id: String
    public var action: String
    public var denseCaption: String?
    public var imageWidth: Int
    public var imageHeight: Int
    public var objects: [ObjectAnnotation]
    public var relations: [RelationAnnotation]
    public var tags: [String]
    /// How many stored corrections the annotation shown has applied.
    public var corrections: Int

    public init(id: String, action: String, denseCaption: String?, imageWidth: Int, imageHeight: Int, objects: [ObjectAnnotation],
                relations: [RelationAnnotation], tags: [String] = [], corrections: Int = 0) {
        self.id = id
        self.action = action
        self.denseCaption = denseCaption
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.objects = objects
        self.relations = relations
        self.tags = tags
        self.corrections = corrections
    }
}
