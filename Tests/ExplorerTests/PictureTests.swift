import Explorer
import Foundation
import Imaging
import Testing

@Suite struct PictureTests {
    @Test(arguments: [GridSize(columns: 100, rows: 30), GridSize(columns: 120, rows: 40), GridSize(columns: 70, rows: 20), GridSize(columns: 200, rows: 60)])
    func boxesLineUpWithThePictureAtEverySize(size: GridSize) throws {
        // The fake picture is dark grey with the first object's box filled red: every cell well inside the
        // box must come out red, every cell well outside grey.
        let h = try Harness(size: size, pictureMode: .symbols(.truecolor))
        let detail = try #require(h.state.sceneView.detail)
        let layout = ExplorerLayout(size: size)
        let geometry = try #require(PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight, cellAspect: 0.5))
        let picture = try #require(h.state.sceneView.picture)
        #expect(picture.size == GridSize(columns: geometry.frame.width, rows: geometry.frame.height))
        let box = geometry.cells(for: detail.objects[0].box)
        func isRed(_ cell: Cell) -> Bool {
            // A cell is red when the colour covering most of it (fg for full blocks, bg for spaces) is red.
            let colour = cell.text == " " ? cell.style.background : cell.style.foreground
            if case .rgb(let r, let g, _) = colour { return r > 200 && g < 60 }
            return false
        }
        for row in 0..<picture.size.rows {
            for column in 0..<picture.size.columns {
                let screenX = geometry.frame.x + column, screenY = geometry.frame.y + row
                let inside = screenX > box.x && screenX < box.maxX - 1 && screenY > box.y && screenY < box.maxY - 1
                let outside = screenX < box.x - 1 || screenX > box.maxX || screenY < box.y - 1 || screenY > box.maxY
                let cell = picture.cells[row * picture.size.columns + column]
                if inside { #expect(isRed(cell), "cell \(column),\(row) inside the box at \(size)") }
                if outside { #expect(!isRed(cell), "cell \(column),\(row) outside the box at \(size)") }
            }
        }
        // The box outline sits on the box's edge cells in the frame.
        let frame = h.frame
        #expect(frame[box.x, box.y].text == "┌")
        #expect(frame[box.maxX - 1, box.maxY - 1].text == "┘")
    }

    @Test func geometryKeepsAspectAndMapsPixelsBack() throws {
        let area = CellRect(x: 10, y: 2, width: 40, height: 30)
        let wide = try #require(PictureGeometry(area: area, imageWidth: 400, imageHeight: 100, cellAspect: 0.5))
        #expect(wide.frame.width == 40)
        #expect(wide.frame.height == 5)  // 400×100 is 4:1; cells are twice as tall as wide
        let square = try #require(PictureGeometry(area: area, imageWidth: 100, imageHeight: 100, cellAspect: 0.5))
        #expect(square.frame == CellRect(x: 10, y: 7, width: 40, height: 20))
        let cells = square.cells(for: PixelBox(x1: 50, y1: 0, x2: 100, y2: 50))
        #expect(cells == CellRect(x: 30, y: 7, width: 20, height: 10))
        let (x, y) = try #require(square.pixel(column: 30, row: 7))
        #expect(x == 51 && y == 2)
        #expect(square.pixel(column: 9, row: 7) == nil)
        #expect(PictureGeometry(area: area, imageWidth: 0, imageHeight: 10, cellAspect: 0.5) == nil)
    }

    @Test(arguments: [ColorDepth.colors256, .colors16, .mono])
    func lowerColourDepthsUseThePaletteOrNoColour(depth: ColorDepth) throws {
        var image = RGBImage(width: 8, height: 8)
        for i in stride(from: 0, to: image.pixels.count, by: 3) { image.pixels[i] = 255 }
        let cells = PictureRasterizer.cells(for: image, sceneID: "s", size: GridSize(columns: 4, rows: 2), depth: depth)
        #expect(cells.cells.count == 8)
        var used = Set<CellColor>()
        for cell in cells.cells {
            for colour in [cell.style.foreground, cell.style.background] {
                used.insert(colour)
                switch (depth, colour) {
                case (_, .terminalDefault): break
                case (.colors256, .indexed(let n)): #expect(n >= 16)
                case (.colors16, .indexed(let n)): #expect(n < 16)
                default: Issue.record("unexpected colour \(colour) at depth \(depth)")
                }
            }
        }
        // Pure red comes out as the palette's red: 196 in the 6×6×6 cube, bright red among the 16.
        switch depth {
        case .colors256: #expect(used.contains(.indexed(196)))
        case .colors16: #expect(used.contains(.indexed(9)) || used.contains(.indexed(1)))
        default: #expect(used == [.terminalDefault])
        }
    }
}
