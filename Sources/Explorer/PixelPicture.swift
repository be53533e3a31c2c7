import Imaging

/// A picture encoded for a terminal graphics protocol, ready to be written at its cell position after the
/// text screen is drawn. Equal pictures need not be written again.
public struct PixelPicture: Equatable, Sendable {
    /// The scene shown.
    public var sceneID: String
    /// The graphics protocol `sequence` is written in.
    public var `protocol`: PixelProtocol
    /// Cells the picture covers.
    public var frame: CellRect
    /// The boxes drawn into the pixels (part of the picture's identity).
    public var boxes: [PictureBox]
    /// The escape sequence (sixel DCS or kitty APC commands) that draws it at the cursor.
    public var sequence: [UInt8]

    public init(sceneID: String, protocol: PixelProtocol, frame: CellRect, boxes: [PictureBox], sequence: [UInt8]) {
        self.sceneID = sceneID
        self.protocol = `protocol`
        self.frame = frame
        self.boxes = boxes
        self.sequence = sequence
    }
}

/// A box drawn over the picture: in cells (symbol mode) or into the pixels (pixel mode).
public struct PictureBox: Hashable, Sendable {
    /// The box in the annotation's image pixels.
    public var box: PixelBox
    /// Its name on the box's top edge (symbol mode).
    public var label: String
    /// The theme style it is drawn in.
    public var role: ThemeRole

    public init(box: PixelBox, label: String, role: ThemeRole) {
        self.box = box
        self.label = label
        self.role = role
    }
}
