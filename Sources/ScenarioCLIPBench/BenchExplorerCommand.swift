import ArgumentParser
import CommandSupport
import Explorer
import Foundation
import Imaging
import ScenarioModel
import Synthetic

/// `scenarioclip bench explorer`: Explorer start-up, query and redraw latency.
struct BenchExplorerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explorer",
        abstract: "Explorer start-up, query and redraw latency.",
        discussion: """
            Runs the explorer's session (state, effects, background search, rendering to a cell grid, pictures
            through libchafa) on a synthetic dataset held in memory: random 512-d unit vectors per scene and
            object, a hashed bag-of-words text encoder instead of the CLIP text tower, pictures decoded from
            generated JPEGs. With --cached, the real path instead: a synthetic dataset on disk and its SQLite cache
            (random vectors per scene and object, written once into --folder), the live backend over
            SceneWorkspace, and the bundled model's text tower encoding each query. Terminal output is not timed.
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

    @Flag(help: "Time the live backend on a synthetic dataset and cache on disk, with the bundled model's text tower.")
    var cached = false

    @Option(help: "Folder for --cached's dataset and cache (reused when present). Default: a temporary folder, removed after.")
    var folder: String?

    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scl-bench-explorer-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let size = GridSize(columns: 120, rows: 40)
        let theme = try Theme.load(named: "dark")

        let pictureMode: PictureMode
        switch pictureOption {
        case .sixels: pictureMode = .pixels(.sixels)
        case .kitty: pictureMode = .pixels(.kitty)
        case .symbols, .auto: pictureMode = .symbols(.colors256)
        }
        let pictureName = pictureOption == .sixels || pictureOption == .kitty ? "\(pictureOption.rawValue) pictures (9×18-pixel cells)" : "256-colour symbol pictures"
        let session: ExplorerSession
        if cached {
            let model = BenchTextModel(base: try ScenarioModelLoader.bundled())
            print("explorer bench (cached): \(scenes) scenes, \(model.embeddingWidth)-d vectors (scene + 2 objects each) in SQLite, "
                + "bundled text tower, \(size) cells, \(pictureName)")
            let dataFolder = folder.map { URL(fileURLWithPath: $0) } ?? scratch
            var clock = Date()
            let data = try ExplorerBenchDataset.prepare(count: scenes, width: model.embeddingWidth, fingerprint: model.fingerprint, in: dataFolder)
            print(String(format: "  dataset + cache ready (written or reused; not part of start-up): %.0f ms", Date().timeIntervalSince(clock) * 1000))
            clock = Date()
            let backend = try LiveExplorerBackend(datasetURL: data.root, cacheURL: data.cache, modelName: "bundled text tower", loadModel: { model })
            print(String(format: "    of which opening the dataset (parse + validate) and the cache: %.1f ms", Date().timeIntervalSince(clock) * 1000))
            session = try ExplorerSession(backend: backend, size: size, theme: theme, pictureMode: pictureMode, runsInBackground: true,
                cellPixels: CellPixelSize(width: 9, height: 18))
            _ = session.frame()
            print(String(format: "  start-up to first frame (dataset load, scene list, first scene, picture): %.1f ms", Date().timeIntervalSince(clock) * 1000))
            // In the background meanwhile: the workspace checks the index (loading the global level).
            while backend.status().model == nil { usleep(1000) }
            print(String(format: "  model ready and global vectors loaded (background, after start): %.0f ms", Date().timeIntervalSince(clock) * 1000))
            guard backend.status().indexed else { throw ValidationError("the bench cache is not complete; remove \(data.cache.path)") }
        } else {
            print("explorer bench: \(scenes) scenes, 512-d vectors (scene + 2 objects each), \(size) cells, \(pictureName)")
            var clock = Date()
            let pictures = try ExplorerBenchDataset.writePictures(to: scratch)
            let backend = try SyntheticExplorerBackend(scenes: scenes, pictures: pictures)
            print(String(format: "  synthetic data generation (not part of start-up): %.0f ms", Date().timeIntervalSince(clock) * 1000))
            clock = Date()
            session = try ExplorerSession(backend: backend, size: size, theme: theme, pictureMode: pictureMode, runsInBackground: true,
                cellPixels: CellPixelSize(width: 9, height: 18))
            _ = session.frame()
            print(String(format: "  start-up to first frame (scene list, first scene, picture): %.1f ms", Date().timeIntervalSince(clock) * 1000))
        }

        // Query line: each keystroke → results applied → frame.
        session.send(.key(.char("/")))
        var keystrokes: [Double] = []
        for character in query {
            let start = Date()
            session.send(.key(.char(character)))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                session.drainInbox()
                if !session.state.query.inFlight { break }
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
