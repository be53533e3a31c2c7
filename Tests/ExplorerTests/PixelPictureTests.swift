import Explorer
import Foundation
import Imaging
import Testing

/// Pixel pictures without a terminal: the escape sequences chafa produces, the boxes drawn into the pixels,
/// the choice of protocol from the environment, and what the session hands the terminal.
@Suite struct PixelPictureTests {
    static let esc = "\u{1B}"

    /// The pixels kitty commands carry: each chunk's base64 payload decoded on its own (chafa pads every chunk).
    func kittyPixels(_ bytes: [UInt8]) -> Data {
        let commands = String(decoding: bytes, as: UTF8.self).components(separatedBy: Self.esc + "\\").filter { !$0.isEmpty }
        var data = Data()
        for command in commands {
            guard let payload = command.split(separator: ";", maxSplits: 1).dropFirst().first else { continue }
            data.append(Data(base64Encoded: String(payload)) ?? Data([0]))
        }
        return data
    }

    /// `width × height` pixels of one colour.
    func solid(_ width: Int, _ height: Int, _ rgb: (UInt8, UInt8, UInt8)) -> RGBImage {
        var pixels: [UInt8] = []
        for _ in 0..<(width * height) { pixels += [rgb.0, rgb.1, rgb.2] }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func sixelSequenceIsOneDeviceControlString() throws {
        // 2×2 cells of 4×12 pixels: 8×24 pixels, a multiple of the 6-pixel sixel band.
        let bytes = try #require(PictureRasterizer.pixelSequence(
            for: solid(8, 24, (255, 0, 0)), size: GridSize(columns: 2, rows: 2), cell: CellPixelSize(width: 4, height: 12), protocol: .sixels))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(Self.esc + "P"))
        #expect(text.hasSuffix(Self.esc + "\\"))
        // Sixel data starts at the 'q' after the DCS parameters, with raster attributes giving the pixel size.
        let body = try #require(text.split(separator: "q", maxSplits: 1).last)
        #expect(body.hasPrefix("\"1;1;8;24"))
        #expect(text.filter { $0 == Character(Self.esc) }.count == 2)  // one DCS, one string terminator
    }

    @Test func kittySequenceCarriesTheCellsAndThePixels() throws {
        let bytes = try #require(PictureRasterizer.pixelSequence(
            for: solid(8, 16, (255, 0, 0)), size: GridSize(columns: 2, rows: 2), cell: CellPixelSize(width: 4, height: 8), protocol: .kitty))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(Self.esc + "_Ga=T,"))
        #expect(text.hasSuffix(Self.esc + "\\"))
        // Commands are ESC _ G <keys> [; payload] ESC \.
        let commands = text.components(separatedBy: Self.esc + "\\").filter { !$0.isEmpty }
        #expect(commands.allSatisfy { $0.hasPrefix(Self.esc + "_G") })
        let keys = Set(commands[0].dropFirst(3).split(separator: ";")[0].split(separator: ","))
        #expect(keys.isSuperset(of: ["a=T", "f=32", "s=8", "v=16", "c=2", "r=2"]))
        // The chunks' base64 payloads together are the 8×16 RGBA pixels: all red and opaque (chafa's resampler
        // leaves the alpha of some edge pixels just under 255).
        let rgba = kittyPixels(bytes)
        try #require(rgba.count == 8 * 16 * 4)
        for i in stride(from: 0, to: rgba.count, by: 4) {
            #expect(rgba[i] > 240 && rgba[i + 1] < 16 && rgba[i + 2] < 16 && rgba[i + 3] >= 240, "\(Array(rgba[i..<i + 4]))")
        }
    }

    @Test func rowsStayAlignedWhateverThePictureWidth() throws {
        // 270 pixels a row (not a multiple of 4): left half red, right half blue, on every row. chafa 1.12
        // skews RGB8 rows of such widths, so pictures go to it as RGBA.
        var image = solid(270, 24, (255, 0, 0))
        for y in 0..<24 {
            for x in 135..<270 { image.pixels.replaceSubrange(((y * 270 + x) * 3)..<((y * 270 + x) * 3 + 3), with: [0, 0, 255]) }
        }
        let bytes = try #require(PictureRasterizer.pixelSequence(
            for: image, size: GridSize(columns: 45, rows: 2), cell: CellPixelSize(width: 6, height: 12), protocol: .kitty))
        let rgba = kittyPixels(bytes)
        try #require(rgba.count == 270 * 24 * 4)
        for y in 0..<24 {
            for x in [2, 60, 130] { #expect(rgba[(y * 270 + x) * 4] > 200 && rgba[(y * 270 + x) * 4 + 2] < 50, "red at \(x),\(y)") }
            for x in [140, 200, 267] { #expect(rgba[(y * 270 + x) * 4] < 50 && rgba[(y * 270 + x) * 4 + 2] > 200, "blue at \(x),\(y)") }
        }
        // Symbol mosaics go through the same path: left cells red, right cells blue, on every row.
        let cells = PictureRasterizer.cells(for: image, sceneID: "s", size: GridSize(columns: 30, rows: 4), depth: .truecolor)
        for row in 0..<4 {
            for column in [0, 5, 12, 17, 24, 29] {
                let cell = cells.cells[row * 30 + column]
                let colour = cell.text == " " ? cell.style.background : cell.style.foreground
                guard case .rgb(let r, _, let b) = colour else {
                    Issue.record("cell \(column),\(row) has no colour")
                    continue
                }
                #expect(column < 15 ? r > 200 && b < 50 : r < 50 && b > 200, "cell \(column),\(row)")
            }
        }
    }

    @Test func boxesArePaintedOnTheirEdgesScaledToThePicture() throws {
        let theme = try Theme.load(named: "dark")
        // Annotation coordinates 20×10, picture 40×20: the box (2,2)-(8,6) covers pixels (4,4)-(16,12).
        let boxes = [PictureBox(box: PixelBox(x1: 2, y1: 2, x2: 8, y2: 6), label: "dog", role: .box)]
        let out = PictureBoxPainter.draw(boxes, into: solid(40, 20, (0, 0, 0)), imageWidth: 20, imageHeight: 10, theme: theme, lineWidth: 2)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(out.pixels[((y * 40 + x) * 3)..<((y * 40 + x) * 3 + 3)]) }
        let yellow: [UInt8] = [205, 205, 0]  // the dark theme's box colour (ANSI yellow)
        for (x, y) in [(4, 4), (5, 5), (10, 4), (15, 11), (4, 8), (14, 8), (10, 10)] { #expect(pixel(x, y) == yellow, "edge \(x),\(y)") }
        for (x, y) in [(6, 6), (10, 8), (13, 9), (3, 3), (16, 12), (20, 8), (10, 13)] { #expect(pixel(x, y) == [0, 0, 0], "off edge \(x),\(y)") }
        // Highlight styles use their background colour (box-hit: black on bright green).
        let hit = PictureBoxPainter.draw([PictureBox(box: PixelBox(x1: 0, y1: 0, x2: 20, y2: 10), label: "hit", role: .boxHit)],
            into: solid(40, 20, (0, 0, 0)), imageWidth: 20, imageHeight: 10, theme: theme)
        #expect(Array(hit.pixels[0..<3]) == [0, 255, 0])
    }

    @Test func autoPicksKittyOrSixelsFromTheTerminalAndNeverInsideAMultiplexer() {
        let cell = CellPixelSize(width: 9, height: 18)
        func auto(_ env: [String: String]) -> PictureMode { PictureOption.auto.mode(environment: env, depth: .colors256, cellPixels: cell).mode }
        #expect(auto(["TERM": "xterm-kitty"]) == .pixels(.kitty))
        #expect(auto(["TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"]) == .pixels(.kitty))
        #expect(auto(["TERM": "xterm-ghostty"]) == .pixels(.kitty))
        #expect(auto(["TERM": "foot"]) == .pixels(.sixels))
        #expect(auto(["TERM": "mlterm"]) == .pixels(.sixels))
        #expect(auto(["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"]) == .pixels(.sixels))
        #expect(auto(["TERM": "xterm-256color", "KONSOLE_VERSION": "230805"]) == .pixels(.sixels))
        #expect(auto(["TERM": "xterm-256color", "KONSOLE_VERSION": "211200"]) == .symbols(.colors256))
        #expect(auto(["TERM": "xterm-256color"]) == .symbols(.colors256))
        #expect(auto([:]) == .symbols(.colors256))
        // Inside tmux or screen: symbols, whatever the outer terminal is.
        #expect(auto(["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-1000/default,1,0"]) == .symbols(.colors256))
        #expect(auto(["TERM": "screen-256color", "KITTY_WINDOW_ID": "3"]) == .symbols(.colors256))
        #expect(auto(["TERM": "tmux-256color", "TERM_PROGRAM": "WezTerm"]) == .symbols(.colors256))
        #expect(auto(["TERM": "foot", "STY": "1234.pts-0.host"]) == .symbols(.colors256))
    }

    @Test func forcedProtocolsApplyEverywhereButNeedTheCellSize() {
        let cell = CellPixelSize(width: 9, height: 18)
        let tmux = ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/default,1,0"]
        #expect(PictureOption.sixels.mode(environment: tmux, depth: .truecolor, cellPixels: cell).mode == .pixels(.sixels))
        #expect(PictureOption.kitty.mode(environment: [:], depth: .truecolor, cellPixels: cell).mode == .pixels(.kitty))
        #expect(PictureOption.symbols.mode(environment: ["TERM": "xterm-kitty"], depth: .truecolor, cellPixels: cell).mode == .symbols(.truecolor))
        // No pixel size reported: symbols, and a forced protocol says why.
        let forced = PictureOption.sixels.mode(environment: ["TERM": "foot"], depth: .colors16, cellPixels: nil)
        #expect(forced.mode == .symbols(.colors16))
        #expect(forced.note?.contains("cell size in pixels") == true)
        let auto = PictureOption.auto.mode(environment: ["TERM": "xterm-kitty"], depth: .colors16, cellPixels: CellPixelSize(width: 0, height: 0))
        #expect(auto.mode == .symbols(.colors16) && auto.note == nil)
    }

    @Test func sessionHandsTheTerminalAPictureWithItsBoxesAndBlankCellsBeneath() throws {
        let h = try Harness(size: GridSize(columns: 100, rows: 30), pictureMode: .pixels(.kitty), cellPixels: CellPixelSize(width: 8, height: 16))
        let frame = h.frame
        let detail = try #require(h.state.sceneView.detail)
        let picture = try #require(h.session.pixelPicture())
        #expect(picture.sceneID == detail.id && picture.protocol == .kitty)
        #expect(picture.boxes.map(\.label) == detail.objects.map(\.name))
        #expect(String(decoding: picture.sequence.prefix(7), as: UTF8.self) == Self.esc + "_Ga=T,")
        // The cells under the picture are blank: no symbols, no box outlines in cells.
        for row in picture.frame.y..<picture.frame.maxY {
            for column in picture.frame.x..<picture.frame.maxX { #expect(frame[column, row].text == " ") }
        }
        // The cell aspect comes from the reported cell size.
        #expect(h.state.sceneView.cellAspect == 0.5)

        // Focusing an object highlights its box in the pixels: a new picture.
        h.type("⇥")
        _ = h.frame
        let selected = try #require(h.session.pixelPicture())
        #expect(selected.boxes.last == PictureBox(box: detail.objects[0].box, label: detail.objects[0].name, role: .boxSelected))
        #expect(selected.sequence != picture.sequence)
        // Back to the list: the first picture again (cached).
        h.type("⎋")
        _ = h.frame
        #expect(h.session.pixelPicture() == picture)
        // Another scene, another picture; the help overlay hides pictures.
        h.type("j")
        _ = h.frame
        #expect(h.session.pixelPicture()?.sceneID == h.state.sceneView.detail?.id && h.state.sceneView.detail?.id != detail.id)
        h.type("?")
        _ = h.frame
        #expect(h.session.pixelPicture() == nil)
    }

    @Test func withoutTheCellSizePixelModeDrawsBoxesInCells() throws {
        let h = try Harness(size: GridSize(columns: 100, rows: 30), pictureMode: .pixels(.sixels))
        #expect(h.session.pixelPicture() == nil)
        let detail = try #require(h.state.sceneView.detail)
        let layout = ExplorerLayout(size: h.state.size)
        let geometry = try #require(PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight, cellAspect: 0.5))
        let box = geometry.cells(for: detail.objects[0].box)
        #expect(h.frame[box.x, box.y].text == "┌")
    }
}
