import Imaging

/// Where each part of the screen goes at a given terminal size. Render and mouse handling share it.
public struct ExplorerLayout: Equatable, Sendable {
    public var title: CellRect
    /// The left list, its first row being the list's heading.
    public var list: CellRect
    public var separatorColumn: Int
    public var picture: CellRect
    public var info: CellRect
    public var inputLine: CellRect
    public var statusLine: CellRect

    public init(size: GridSize) {
        let columns = size.columns, rows = size.rows
        let bodyHeight = max(0, rows - 3)
        let listWidth = min(40, max(24, columns * 3 / 10))
        title = CellRect(x: 0, y: 0, width: columns, height: 1)
        list = CellRect(x: 0, y: 1, width: listWidth, height: bodyHeight)
        separatorColumn = listWidth
        let rightX = listWidth + 1
        let rightWidth = max(0, columns - rightX)
        if rightWidth >= 60 {
            let pictureWidth = rightWidth * 55 / 100
            picture = CellRect(x: rightX, y: 1, width: pictureWidth, height: bodyHeight)
            info = CellRect(x: rightX + pictureWidth + 1, y: 1, width: rightWidth - pictureWidth - 1, height: bodyHeight)
        } else {
            let pictureHeight = bodyHeight * 55 / 100
            picture = CellRect(x: rightX, y: 1, width: rightWidth, height: pictureHeight)
            info = CellRect(x: rightX, y: 1 + pictureHeight, width: rightWidth, height: bodyHeight - pictureHeight)
        }
        inputLine = CellRect(x: 0, y: rows - 2, width: columns, height: 1)
        statusLine = CellRect(x: 0, y: rows - 1, width: columns, height: 1)
    }
}

/// How a picture of `imageWidth × imageHeight` pixels sits in a cell area: its size in cells and the mapping
/// between pixels and cells, so boxes drawn in cells line up with the picture at every terminal size.
public struct PictureGeometry: Equatable, Sendable {
    /// Cells the picture covers (the picture is scaled to exactly this many cells).
    public var frame: CellRect
    public var imageWidth: Int
    public var imageHeight: Int

    /// Fits the picture into `area` keeping its aspect, given a cell's width ÷ height (`cellAspect`, ~0.5).
    /// `nil` when the area or the image is empty.
    public init?(area: CellRect, imageWidth: Int, imageHeight: Int, cellAspect: Double) {
        guard !area.isEmpty, imageWidth > 0, imageHeight > 0, cellAspect > 0 else { return nil }
        let ratio = Double(imageWidth) / Double(imageHeight) / cellAspect  // columns per row
        var rows = area.height
        var columns = Int((Double(rows) * ratio).rounded())
        if columns > area.width {
            columns = area.width
            rows = max(1, min(area.height, Int((Double(columns) / ratio).rounded())))
        }
        columns = max(1, columns)
        frame = CellRect(x: area.x + (area.width - columns) / 2, y: area.y + (area.height - rows) / 2, width: columns, height: rows)
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }

    /// The cells a pixel box covers (at least one cell), clipped to the picture.
    public func cells(for box: PixelBox) -> CellRect {
        let b = box.clamped(width: imageWidth, height: imageHeight)
        let sx = Double(frame.width) / Double(imageWidth), sy = Double(frame.height) / Double(imageHeight)
        var c1 = Int((Double(b.x1) * sx).rounded(.down)), c2 = Int((Double(b.x2) * sx).rounded(.up))
        var r1 = Int((Double(b.y1) * sy).rounded(.down)), r2 = Int((Double(b.y2) * sy).rounded(.up))
        c1 = min(max(0, c1), frame.width - 1)
        r1 = min(max(0, r1), frame.height - 1)
        c2 = min(max(c1 + 1, c2), frame.width)
        r2 = min(max(r1 + 1, r2), frame.height)
        return CellRect(x: frame.x + c1, y: frame.y + r1, width: c2 - c1, height: r2 - r1)
    }

    /// The pixel at the centre of a screen cell, or `nil` outside the picture.
    public func pixel(column: Int, row: Int) -> (Int, Int)? {
        guard frame.contains(column: column, row: row) else { return nil }
        let x = (Double(column - frame.x) + 0.5) * Double(imageWidth) / Double(frame.width)
        let y = (Double(row - frame.y) + 0.5) * Double(imageHeight) / Double(frame.height)
        return (Int(x), Int(y))
    }
}
