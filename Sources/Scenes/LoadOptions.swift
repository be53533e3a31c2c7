/// How ``SceneDataset/load(from:options:)`` reads and checks a dataset.
public struct LoadOptions: Sendable, Hashable {
    /// Throw ``ScenesError/invalidDataset(_:)`` at the first problem of severity error instead of
    /// collecting all of them.
    public var stopAtFirstProblem: Bool
    /// Check that image and focused-region files exist and read each scene image's JPEG header to
    /// check boxes against the image size. Off by default: loading then never touches image files.
    public var checkImages: Bool
    /// Read clean records through ``FastMetadataReader`` (same records and problems; tests turn it off
    /// to compare with the full path).
    var fastPath = true
    /// Metadata files at least this long are read in two halves at once (tests make it small).
    var splitSize = FastMetadataReader.defaultSplitSize

    public init(stopAtFirstProblem: Bool = false, checkImages: Bool = false) {
        self.stopAtFirstProblem = stopAtFirstProblem
        self.checkImages = checkImages
    }
}
