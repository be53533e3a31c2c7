import Imaging

/// One annotated object of a scene: its class name and its box in image pixels.
public struct SceneObject: Sendable, Hashable {
    /// Object class name, e.g. `cup`.
    public var name: String
    /// Box `[x1, y1, x2, y2]` in pixels of the scene image (reference floats truncated toward zero).
    public var box: PixelBox

    public init(name: String, box: PixelBox) {
        self.name = name
        self.box = box
    }
}
