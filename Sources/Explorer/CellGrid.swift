/// A colour as the explorer asks for it; the terminal maps it to what it can show.
public enum CellColor: Hashable, Sendable {
    /// The terminal's own default foreground or background.
    case terminalDefault
    /// One of the 256 xterm palette entries (0–15 are the ANSI colours).
    case indexed(UInt8)
    /// A 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)
}

/// How a cell is drawn: colours and attributes.
public struct CellStyle: Hashable, Sendable {
    public var foreground: CellColor
    public var background: CellColor
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(
        foreground: CellColor = .terminalDefault, background: CellColor = .terminalDefault,
        bold: Bool = false, reverse: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    /// The terminal's default look.
    public static let plain = CellStyle()
}

/// One screen cell: a character (or the right half of a wide one) and its style.
public struct Cell: Hashable, Sendable {
    /// The grapheme shown; `""` marks the second column of a wide character.
    public var text: String
    public var style: CellStyle

    public init(_ text: String = " ", style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// Columns and rows of a terminal or a screen area.
public struct GridSize: Hashable, Sendable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public var description: String { "\(columns)x\(rows)" }
}

/// A rectangle of cells: `x`, `y` of the top-left cell, `width` × `height` cells.
public struct CellRect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// `true` when the cell (`column`, `row`) lies inside.
    public func contains(column: Int, row: Int) -> Bool {
        column >= x && column < maxX && row >= y && row < maxY
    }
}

/// A frame of the explorer: what every cell of the screen shows. `render` fills one; the terminal copies it.
public struct CellGrid: Sendable, Equatable {
    public let size: GridSize
    /// Row-major cells, `size.rows * size.columns`.
    public private(set) var cells: [Cell]

    /// A blank grid in `style`.
    public init(size: GridSize, style: CellStyle = .plain) {
        self.size = GridSize(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: Cell(" ", style: style), count: self.size.columns * self.size.rows)
    }

    /// The cell at (`column`, `row`); both must be inside the grid.
    public subscript(column: Int, row: Int) -> Cell {
        get { cells[row * size.columns + column] }
        set {
            guard column >= 0, row >= 0, column < size.columns, row < size.rows else { return }
            cells[row * size.columns + column] = newValue
        }
    }

    /// Fills `rect` (clipped to the grid) with blanks in `style`.
    public mutating func fill(_ rect: CellRect, style: CellStyle, text: String = " ") {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        let x1 = min(size.columns, rect.maxX), y1 = min(size.rows, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { cells[row * size.columns + column] = Cell(text, style: style) }
        }
    }

    /// Writes `text` from (`column`, `row`) in `style`, clipped at `limit` columns (default: the grid edge).
    /// Wide characters take two cells. Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: String, column: Int, row: Int, style: CellStyle, limit: Int? = nil) -> Int {
        guard row >= 0, row < size.rows else { return column }
        let end = min(size.columns, limit.map { column + $0 } ?? size.columns)
        var x = column
        for character in text {
            let width = CellGrid.displayWidth(of: character)
            if width == 0 { continue }
            if x + width > end { break }
            if x >= 0 {
                let cleaned = character.isNewline || character == "\t" ? " " : String(character)
                cells[row * size.columns + x] = Cell(cleaned, style: style)
                if width == 2 { cells[row * size.columns + x + 1] = Cell("", style: style) }
            }
            x += width
        }
        return x
    }

    /// Changes the style of the cells in `rect` with `change`, keeping their text.
    public mutating func restyle(_ rect: CellRect, _ change: (inout CellStyle) -> Void) {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        let x1 = min(size.columns, rect.maxX), y1 = min(size.rows, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { change(&cells[row * size.columns + column].style) }
        }
    }

    /// The text of row `row` with trailing blanks removed.
    public func line(_ row: Int) -> String {
        var result = ""
        for column in 0..<size.columns { result += cells[row * size.columns + column].text }
        while result.last == " " { result.removeLast() }
        return result
    }

    /// Every row's text joined with newlines: what tests compare against snapshots.
    public var text: String { (0..<size.rows).map(line).joined(separator: "\n") }

    /// Terminal columns `character` occupies (0, 1 or 2): East Asian wide and emoji ranges take two,
    /// combining marks none. Independent of the locale, so tests and terminals agree.
    public static func displayWidth(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// Terminal columns `text` occupies.
    public static func displayWidth(of text: String) -> Int {
        text.reduce(0) { $0 + displayWidth(of: $1) }
    }
}
