import ArgumentParser
import Explorer
import Foundation
import Imaging

/// `scenarioclip bench explorer`: Explorer start-up, query and redraw latency.
struct BenchExplorerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explorer",
        abstract: "Explorer start-up, query and redraw latency.",
        discussion: """
            Runs the explorer's session (state, effects, background search, rendering to a cell grid, pictures
            through libchafa) on a synthetic dataset held in memory: random 512-d unit vectors per scene and
            object, a hashed bag-of-words text encoder instead of the CLIP text tower, pictures decoded from
            generated JPEGs. Terminal output itself is not timed.
            """
    )

    @Option(help: "Number of scenes.")
    var scenes = 100_000

    @Option(help: "Keystrokes typed for the query timing.")
    var query = "person holding a cup"

    @Option(help: "Scene moves timed for the redraw figure.")
    var moves = 200

    @Option(name: .customLong("pictures"),
            help: ArgumentHelp("Pictures: symbols (256 colours), sixels or kitty (encoded for 9×18-pixel cells).", valueName: "mode"))
    var pictureOption: PictureOption = .symbols

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scl-bench-explorer-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pictures = try (0..<16).map { i -> URL in
            var image = RGBImage(width: 256, height: 256)
            for y in 0..<256 {
                for x in 0..<256 {
                    let p = (y * 256 + x) * 3
                    image.pixels[p] = UInt8((x + i * 16) & 255)
                    image.pixels[p + 1] = UInt8((y * 2 + i * 8) & 255)
                    image.pixels[p + 2] = UInt8(((x ^ y) + i * 32) & 255)
                }
            }
            let url = folder.appendingPathComponent("p\(i).jpg")
            try JPEG.write(image, to: url, quality: 85)
            return url
        }
        let size = GridSize(columns: 120, rows: 40)
        let theme = try Theme.load(named: "dark")

        let pictureMode: PictureMode
        switch pictureOption {
        case .sixels: pictureMode = .pixels(.sixels)
        case .kitty: pictureMode = .pixels(.kitty)
        case .symbols, .auto: pictureMode = .symbols(.colors256)
        }
        let pictureName = pictureOption == .sixels || pictureOption == .kitty ? "\(pictureOption.rawValue) pictures (9×18-pixel cells)" : "256-colour symbol pictures"
        print("explorer bench: \(scenes) scenes, 512-d vectors (scene + 2 objects each), \(size) cells, \(pictureName)")
        var clock = Date()
        let backend = try SyntheticExplorerBackend(scenes: scenes, pictures: pictures)
        print(String(format: "  synthetic data generation (not part of start-up): %.0f ms", Date().timeIntervalSince(clock) * 1000))

        clock = Date()
        let session = try ExplorerSession(backend: backend, size: size, theme: theme, pictureMode: pictureMode, runsInBackground: true,
            cellPixels: CellPixelSize(width: 9, height: 18))
        _ = session.frame()
        print(String(format: "  start-up to first frame (scene list, first scene, picture): %.1f ms", Date().timeIntervalSince(clock) * 1000))

        // Query line: each keystroke → results applied → frame.
        session.send(.key(.char("/")))
        var keystrokes: [Double] = []
        for character in query {
            let start = Date()
            session.send(.key(.char(character)))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                session.drainInbox()
                if !session.state.searchInFlight { break }
                usleep(100)
            }
            _ = session.frame()
            keystrokes.append(Date().timeIntervalSince(start) * 1000)
        }
        report("query keystroke → updated results + frame", keystrokes)
        session.send(.key(.escape))
        session.send(.key(.escape))

        // Scene to scene with pictures: first visits decode, later ones hit the picture caches.
        var cold: [Double] = []
        for _ in 0..<16 {
            let start = Date()
            session.send(.key(.down))
            _ = session.frame()
            cold.append(Date().timeIntervalSince(start) * 1000)
        }
        report("scene → scene redraw, first visit (JPEG decode + chafa)", cold)
        if case .pixels = pictureMode, let picture = session.pixelPicture() {
            print("  \(pictureOption.rawValue) picture: \(picture.frame.width)×\(picture.frame.height) cells, \(picture.sequence.count / 1024) KiB escape sequence")
        }
        session.send(.key(.char("g")))
        _ = session.frame()
        var warm: [Double] = []
        for i in 0..<moves {
            let start = Date()
            session.send(.key(i % 32 < 16 ? .down : .up))
            _ = session.frame()
            warm.append(Date().timeIntervalSince(start) * 1000)
        }
        report("scene → scene redraw, pictures cached", warm)
    }

    func report(_ name: String, _ values: [Double]) {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return }
        let median = sorted[sorted.count / 2]
        let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print(String(format: "  %@: median %.2f ms, p95 %.2f ms, max %.2f ms (n=%d)", name, median, p95, sorted.last!, sorted.count))
    }
}
