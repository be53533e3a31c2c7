/// What an embedded image input is, independent of file names: a content hash, plus the crop box for
/// inputs cut from a larger image. Vectors are stored under (model fingerprint, level, item key).
public struct ItemKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `image:<sha256>`, `crop:<sha256>:x1,y1,x2,y2` or `region:<sha256>`.
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A whole image (global level).
    public static func image(_ hash: ContentHash) -> ItemKey {
        ItemKey(rawValue: "image:\(hash.hex)")
    }

    /// A box of an image (object canvas, or a relation without a focused-region file).
    public static func crop(_ hash: ContentHash, x1: Int, y1: Int, x2: Int, y2: Int) -> ItemKey {
        ItemKey(rawValue: "crop:\(hash.hex):\(x1),\(y1),\(x2),\(y2)")
    }

    /// A focused-region image file (relation level).
    public static func region(_ hash: ContentHash) -> ItemKey {
        ItemKey(rawValue: "region:\(hash.hex)")
    }

    public var description: String { rawValue }
}
