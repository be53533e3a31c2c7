import ScenarioModel

/// The points of one level's 2-D embedding map as the explorer draws them.
public struct EmbeddingMapPoints: Sendable, Equatable {
    public var level: Level
    /// Scene id and object / relation index of each point.
    public var sceneIDs: [String]
    public var itemIndices: [Int]
    /// `[count, 2]` coordinates, row-major.
    public var coordinates: [Float]
    /// Annotated class of each point, an index into ``classNames`` (`-1`: not a known class).
    public var labels: [Int32]
    public var classNames: [String]
    /// Split of each point's scene: 0 train, 1 val, 2 test.
    public var splits: [UInt8]
    /// `true` when the map was computed for this request (not read from the cache).
    public var computed: Bool

    public init(level: Level, sceneIDs: [String], itemIndices: [Int], coordinates: [Float], labels: [Int32], classNames: [String],
                splits: [UInt8], computed: Bool) {
        precondition(sceneIDs.count == itemIndices.count && coordinates.count == 2 * sceneIDs.count
                     && labels.count == sceneIDs.count && splits.count == sceneIDs.count, "one entry per point")
        self.level = level
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
        self.coordinates = coordinates
        self.labels = labels
        self.classNames = classNames
        self.splits = splits
        self.computed = computed
    }

    public var count: Int { sceneIDs.count }
}

/// How map points are coloured.
public enum MapColouring: String, CaseIterable, Sendable {
    case label = "class", split, mark, disagreement

    public var next: MapColouring {
        let all = MapColouring.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// Where the map's canvas and side pane sit at a terminal size, and how points fall on braille dots.
public struct EmbeddingMapGeometry: Equatable, Sendable {
    /// Cells the dots are drawn in (each cell 2 × 4 dots).
    public var canvas: CellRect
    /// The legend and selection pane on the right.
    public var pane: CellRect

    public init(size: GridSize) {
        let body = max(0, size.rows - 3)
        let paneWidth = min(38, max(20, size.columns / 3))
        canvas = CellRect(x: 0, y: 1, width: max(0, size.columns - paneWidth - 1), height: body)
        pane = CellRect(x: canvas.maxX + 1, y: 1, width: paneWidth, height: body)
    }

    /// The dot (column, row) of every point, in canvas dots (`canvas.width · 2` × `canvas.height · 4`), the
    /// points' bounding box stretched to fill the canvas. `nil` for a point with a non-finite coordinate.
    public func dots(_ points: EmbeddingMapPoints) -> [(Int, Int)?] {
        let n = points.count
        guard n > 0, !canvas.isEmpty else { return [] }
        var lo = (Float.infinity, Float.infinity), hi = (-Float.infinity, -Float.infinity)
        for i in 0..<n {
            let x = points.coordinates[2 * i], y = points.coordinates[2 * i + 1]
            guard x.isFinite, y.isFinite else { continue }
            lo = (min(lo.0, x), min(lo.1, y))
            hi = (max(hi.0, x), max(hi.1, y))
        }
        let columns = canvas.width * 2, rows = canvas.height * 4
        let sx = hi.0 > lo.0 ? Float(columns - 1) / (hi.0 - lo.0) : 0
        let sy = hi.1 > lo.1 ? Float(rows - 1) / (hi.1 - lo.1) : 0
        return (0..<n).map { i in
            let x = points.coordinates[2 * i], y = points.coordinates[2 * i + 1]
            guard x.isFinite, y.isFinite else { return nil }
            let dx = ((x - lo.0) * sx).rounded(), dy = ((y - lo.1) * sy).rounded()
            // Finite and within [0, size - 1] by construction; clamped before conversion all the same.
            return (Int(min(max(dx, 0), Float(columns - 1))), Int(min(max(dy, 0), Float(rows - 1))))
        }
    }
}
