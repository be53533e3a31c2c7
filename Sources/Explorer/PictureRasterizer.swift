import CChafa
import Imaging

/// Turns a picture into terminal cells with libchafa in symbol mode (block and quadrant glyphs with
/// foreground/background colours), or into a sixel or kitty graphics escape sequence. The only file that
/// imports CChafa.
public enum PictureRasterizer {
    /// Renders `image` scaled to exactly `size` cells with colours for `depth`.
    /// Complexity: O(image pixels + cells × symbols); a 45×22-cell picture takes a few milliseconds.
    public static func cells(for image: RGBImage, sceneID: String, size: GridSize, depth: ColorDepth) -> PictureCells {
        precondition(size.columns > 0 && size.rows > 0, "picture needs at least one cell")
        guard image.width > 0, image.height > 0 else {
            return PictureCells(sceneID: sceneID, size: size, cells: Array(repeating: Cell(), count: size.columns * size.rows))
        }
        let symbols = chafa_symbol_map_new()!
        defer { chafa_symbol_map_unref(symbols) }
        let tags: Int32
        switch depth {
        case .mono: tags = CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_SPACE.rawValue
        default:
            tags = CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_SPACE.rawValue | CHAFA_SYMBOL_TAG_QUAD.rawValue
                | CHAFA_SYMBOL_TAG_HALF.rawValue
        }
        chafa_symbol_map_add_by_tags(symbols, ChafaSymbolTags(rawValue: tags))
        chafa_symbol_map_remove_by_tags(symbols, CHAFA_SYMBOL_TAG_WIDE)

        let config = chafa_canvas_config_new()!
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, gint(size.columns), gint(size.rows))
        let mode: ChafaCanvasMode
        switch depth {
        case .truecolor: mode = CHAFA_CANVAS_MODE_TRUECOLOR
        case .colors256: mode = CHAFA_CANVAS_MODE_INDEXED_240
        case .colors16: mode = CHAFA_CANVAS_MODE_INDEXED_16
        case .mono: mode = CHAFA_CANVAS_MODE_FGBG
        }
        chafa_canvas_config_set_canvas_mode(config, mode)
        chafa_canvas_config_set_symbol_map(config, symbols)

        let canvas = chafa_canvas_new(config)!
        defer { chafa_canvas_unref(canvas) }
        draw(image, on: canvas)

        var cells: [Cell] = []
        cells.reserveCapacity(size.columns * size.rows)
        for y in 0..<size.rows {
            for x in 0..<size.columns {
                let scalar = Unicode.Scalar(UInt32(chafa_canvas_get_char_at(canvas, gint(x), gint(y)))) ?? " "
                var fg: gint = -1, bg: gint = -1
                // Packed RGB in truecolour mode, palette indices (raw values) in the indexed modes.
                if depth == .truecolor {
                    chafa_canvas_get_colors_at(canvas, gint(x), gint(y), &fg, &bg)
                } else {
                    chafa_canvas_get_raw_colors_at(canvas, gint(x), gint(y), &fg, &bg)
                }
                var style = CellStyle()
                style.foreground = color(fg, depth: depth)
                style.background = color(bg, depth: depth)
                cells.append(Cell(String(Character(scalar)), style: style))
            }
        }
        return PictureCells(sceneID: sceneID, size: size, cells: cells)
    }

    /// Encodes `image` for `protocol` to cover `size` cells of `cell` pixels each: a sixel DCS sequence
    /// (`ESC P … q … ESC \`) or kitty graphics commands (`ESC _G a=T,… ESC \`, chunked base64 RGBA), to be
    /// written at the picture's top-left cell. Best when `image` is already `size × cell` pixels (no resampling
    /// by chafa). Sixel images are cut to a multiple of 6 pixel rows, so they never spill below their cells.
    /// Returns `nil` when chafa produces nothing.
    /// Complexity: O(pixels); a 450×440-pixel picture takes a few milliseconds to tens of milliseconds.
    public static func pixelSequence(for image: RGBImage, size: GridSize, cell: CellPixelSize, protocol: PixelProtocol) -> [UInt8]? {
        precondition(size.columns > 0 && size.rows > 0, "picture needs at least one cell")
        guard image.width > 0, image.height > 0, cell.width > 0, cell.height > 0 else { return nil }
        let config = chafa_canvas_config_new()!
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, gint(size.columns), gint(size.rows))
        chafa_canvas_config_set_cell_geometry(config, gint(cell.width), gint(cell.height))
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        switch `protocol` {
        case .sixels: chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SIXELS)
        case .kitty: chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_KITTY)
        }
        let canvas = chafa_canvas_new(config)!
        defer { chafa_canvas_unref(canvas) }
        draw(image, on: canvas)
        // The fallback terminal description holds every sequence chafa knows (sixel and kitty included).
        guard let info = chafa_term_db_get_fallback_info(chafa_term_db_get_default()) else { return nil }
        defer { chafa_term_info_unref(info) }
        guard let printed = chafa_canvas_print(canvas, info) else { return nil }
        defer { scl_gstring_free(printed) }
        let length = Int(printed.pointee.len)
        guard length > 0, let bytes = printed.pointee.str else { return nil }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// Hands the pixels to chafa. chafa 1.12 skews RGB8 rows whose byte length is not a multiple of 4 (a
    /// 270-pixel-wide picture comes out sheared), so such pictures go as opaque RGBA, whose rows always are.
    static func draw(_ image: RGBImage, on canvas: OpaquePointer) {
        let width = image.width, height = image.height
        if (width * 3) % 4 == 0 {
            image.pixels.withUnsafeBufferPointer { buffer in
                chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGB8, buffer.baseAddress, gint(width), gint(height), gint(width * 3))
            }
            return
        }
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        image.pixels.withUnsafeBufferPointer { src in
            rgba.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    dst[i * 4] = src[i * 3]
                    dst[i * 4 + 1] = src[i * 3 + 1]
                    dst[i * 4 + 2] = src[i * 3 + 2]
                }
            }
        }
        rgba.withUnsafeBufferPointer { buffer in
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, buffer.baseAddress, gint(width), gint(height), gint(width * 4))
        }
    }

    static func color(_ value: gint, depth: ColorDepth) -> CellColor {
        // Negative: unused; 256 and above: chafa's transparent / terminal fg / terminal bg markers.
        guard value >= 0, depth == .truecolor || value < 256 else { return .terminalDefault }
        switch depth {
        case .truecolor:
            let v = UInt32(value)
            return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        case .colors256, .colors16:
            return .indexed(UInt8(clamping: value))
        case .mono:
            return .terminalDefault
        }
    }
}
