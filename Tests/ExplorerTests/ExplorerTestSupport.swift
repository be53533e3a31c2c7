import Explorer
import Foundation

/// A session over the fake backend, run synchronously, with helpers to type keys and read the frame.
struct Harness {
    let backend: FakeExplorerBackend
    let session: ExplorerSession

    init(sceneCount: Int = 5, size: GridSize = GridSize(columns: 100, rows: 30), pictureMode: PictureMode = .off,
         cellPixels: CellPixelSize? = nil) throws {
        backend = FakeExplorerBackend(sceneCount: sceneCount)
        session = try ExplorerSession(backend: backend, size: size, theme: try Theme.load(named: "dark"),
            pictureMode: pictureMode, runsInBackground: false, cellPixels: cellPixels)
    }

    var state: ExplorerState { session.state }
    var frame: CellGrid { session.frame() }
    var text: String { frame.text }

    /// Sends each character of `keys` as a key press; `⏎` is Enter, `⎋` Escape, `⇥` Tab, `⌫` Backspace,
    /// `↓ ↑ ← →` arrows.
    func type(_ keys: String) {
        for c in keys {
            let key: Key
            switch c {
            case "⏎": key = .enter
            case "⎋": key = .escape
            case "⇥": key = .tab
            case "⌫": key = .backspace
            case "↓": key = .down
            case "↑": key = .up
            case "←": key = .left
            case "→": key = .right
            default: key = .char(c)
            }
            session.send(.key(key))
        }
    }

    func press(_ key: Key) { session.send(.key(key)) }

    /// Rows of the frame that contain `needle`.
    func rows(containing needle: String) -> [Int] {
        let grid = frame
        return (0..<grid.size.rows).filter { grid.line($0).contains(needle) }
    }
}
