import Foundation
import Imaging

/// One scene of a dataset: an image, its action, its objects and its relations.
public struct SceneRecord: Sendable, Hashable {
    /// Record id as written in the metadata (integers are converted to their decimal text).
    public var id: String
    /// Absolute location of the scene image (made from ``imageFile`` on each use).
    public var imagePath: URL {
        get { URL(fileURLWithPath: imageFile, isDirectory: false) }
        set { imageFile = newValue.path }
    }
    /// Absolute file-system path of the scene image. Records keep paths as text and make URLs only when asked:
    /// building a URL per record was an eighth of the time to load 100,000 records.
    public var imageFile: String
    /// Action caption (the global-level text), e.g. `person holding a cup`.
    public var action: String
    /// Optional longer caption.
    public var denseCaption: String?
    /// Annotated objects in metadata order.
    public var objects: [SceneObject]
    /// Annotated relations in metadata order.
    public var relations: [SceneRelation]
    /// Split named by the record itself (our generator writes it), or `nil`.
    public var declaredSplit: SceneSplit?
    /// `true` when the generator marked the scene as holding unseen combinations; `nil` when not stated.
    public var unseen: Bool?
    /// Metadata file the record came from.
    public var sourceFile: URL
    /// Position of the record in its metadata file's `data` array.
    public var indexInFile: Int

    public init(
        id: String, imagePath: URL, action: String, denseCaption: String? = nil,
        objects: [SceneObject], relations: [SceneRelation], declaredSplit: SceneSplit? = nil,
        unseen: Bool? = nil, sourceFile: URL, indexInFile: Int
    ) {
        self.init(
            id: id, imageFile: imagePath.path, action: action, denseCaption: denseCaption, objects: objects,
            relations: relations, declaredSplit: declaredSplit, unseen: unseen, sourceFile: sourceFile, indexInFile: indexInFile)
    }

    /// A record whose image is given as an absolute file-system path.
    public init(
        id: String, imageFile: String, action: String, denseCaption: String? = nil,
        objects: [SceneObject], relations: [SceneRelation], declaredSplit: SceneSplit? = nil,
        unseen: Bool? = nil, sourceFile: URL, indexInFile: Int
    ) {
        self.id = id
        self.imageFile = imageFile
        self.action = action
        self.denseCaption = denseCaption
        self.objects = objects
        self.relations = relations
        self.declaredSplit = declaredSplit
        self.unseen = unseen
        self.sourceFile = sourceFile
        self.indexInFile = indexInFile
    }

    /// Index of the first object called `name`, or `nil` when the record has none.
    public func objectIndex(named name: String) -> Int? {
        objects.firstIndex { $0.name == name }
    }

    /// Box of the first object named by the relation's subject, or `nil` when no object has that name.
    public func subjectBox(of relation: SceneRelation) -> PixelBox? {
        objectIndex(named: relation.subject).map { objects[$0].box }
    }

    /// Box of the first object named by the relation's object, or `nil` when no object has that name.
    public func objectBox(of relation: SceneRelation) -> PixelBox? {
        objectIndex(named: relation.object).map { objects[$0].box }
    }

    /// The union of the subject and object boxes of a relation (either alone if only one is found).
    public func unionBox(of relation: SceneRelation) -> PixelBox? {
        switch (subjectBox(of: relation), objectBox(of: relation)) {
        case let (s?, o?): return s.union(o)
        case let (s?, nil): return s
        case let (nil, o?): return o
        case (nil, nil): return nil
        }
    }
}
