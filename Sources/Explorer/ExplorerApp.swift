import Foundation

/// The interactive loop: terminal ↔ session. Returns when the user quits.
public enum ExplorerApp {
    /// Options of `scenarioclip explore` that reach the UI.
    public struct Options: Sendable {
        public var themeName: String
        /// `false`: no pictures at all, boxes over a placeholder.
        public var pictures: Bool
        /// How pictures are drawn: symbols, a pixel protocol, or chosen from the terminal (see ``PictureOption``).
        public var pictureOption: PictureOption
        /// Start indexing in the background when the dataset is not fully indexed.
        public var indexOnOpen: Bool

        public init(themeName: String = "dark", pictures: Bool = true, pictureOption: PictureOption = .auto, indexOnOpen: Bool = true) {
            self.themeName = themeName
            self.pictures = pictures
            self.pictureOption = pictureOption
            self.indexOnOpen = indexOnOpen
        }
    }

    /// Runs the explorer on `backend` until the user quits.
    /// - Throws: ``ExplorerError/notATerminal`` (checked before anything is drawn), theme and curses errors.
    public static func run(backend: any ExplorerBackend, options: Options) throws {
        guard Terminal.isInteractive else { throw ExplorerError.notATerminal }
        let theme = try Theme.load(named: options.themeName)
        let terminal = try Terminal()
        defer { terminal.restore() }
        let cellPixels = terminal.cellPixelSize
        var pictureMode = PictureMode.off
        var note: String?
        if options.pictures {
            (pictureMode, note) = options.pictureOption.mode(
                environment: ProcessInfo.processInfo.environment, depth: terminal.colorDepth, cellPixels: cellPixels)
        }
        let session = try ExplorerSession(
            backend: backend, size: terminal.size, theme: theme, pictureMode: pictureMode, runsInBackground: true,
            cellPixels: cellPixels)
        if let note { session.notify(note) }
        session.onInbox = { [terminal] in terminal.wake() }
        defer { session.shutdown() }
        if options.indexOnOpen && !session.state.backendStatus.indexed && session.state.backendStatus.model != nil {
            session.startIndexing()
        }
        var lastStatusCheck = Date()
        terminal.draw(session.frame(), pixels: session.pixelPicture())
        while !session.quitRequested {
            var changed = false
            if let event = terminal.nextEvent(timeoutMilliseconds: 250) {
                if case .resize = event {
                    terminal.invalidate()
                    session.setCellPixels(terminal.cellPixelSize)
                }
                session.send(event)
                changed = true
                // Take every key already typed before drawing, so held keys do not queue frames.
                while let more = terminal.nextEvent(timeoutMilliseconds: 0) {
                    if case .resize = more {
                        terminal.invalidate()
                        session.setCellPixels(terminal.cellPixelSize)
                    }
                    session.send(more)
                    if session.quitRequested { break }
                }
            }
            if session.drainInbox() { changed = true }
            // The model loads in the background; notice when it is ready (or failed).
            if Date().timeIntervalSince(lastStatusCheck) > 0.5 {
                lastStatusCheck = Date()
                if session.refreshStatus(autoIndex: options.indexOnOpen) { changed = true }
            }
            if changed && !session.quitRequested {
                let frame = session.frame()
                terminal.draw(frame, pixels: session.pixelPicture())
            }
        }
    }
}
