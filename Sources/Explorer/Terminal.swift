import CNcurses
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The curses screen: set-up, colours, drawing a ``CellGrid``, reading input, and restoring the terminal on
/// every exit path (normal return, thrown error, fatal signals). The only file that imports CNcurses.
/// While curses owns the screen, standard error goes to a temporary file and is replayed on restore.
/// Use it from one thread; only ``wake()`` may be called from others (it writes one byte to a pipe).
public final class Terminal: @unchecked Sendable {
    /// Colours this terminal shows (from `COLORTERM`, `NO_COLOR` and terminfo's `colors`).
    public let colorDepth: ColorDepth
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32
    private let terminalColors: Int32
    private var previous: CellGrid?
    /// The pixel picture on screen now (pixel modes).
    private var shownPixels: PixelPicture?
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1

    private struct PairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// `true` when both standard input and output are terminals.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Refuses terminal types without cursor addressing (terminfo `cup`), such as `TERM=dumb`: curses would
    /// start, draw nothing, and leave its output behind in the scrollback.
    static func checkCursorAddressing() throws {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        var status: Int32 = 0
        guard !term.isEmpty, setupterm(nil, STDOUT_FILENO, &status) == OK else { throw ExplorerError.cannotDraw(term: term) }
        let cup = tigetstr("cup")
        guard let cup, Int(bitPattern: cup) != -1 else { throw ExplorerError.cannotDraw(term: term) }
    }

    /// Takes over the screen.
    /// - Throws: ``ExplorerError/notATerminal`` when stdin/stdout are not terminals; ``ExplorerError/curses(call:)``.
    public init() throws {
        guard Terminal.isInteractive else { throw ExplorerError.notATerminal }
        setlocale(LC_ALL, "")
        Terminal.preferDirectColour()
        try Terminal.checkCursorAddressing()
        TerminalRestore.bufferStderr()
        guard initscr() != nil else {
            TerminalRestore.restore()
            throw ExplorerError.curses(call: "initscr")
        }
        TerminalRestore.cursesActive = true
        TerminalRestore.installSignalHandlers()
        raw()
        noecho()
        nonl()
        keypad(scl_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        _ = mousemask(scl_button1_clicked() | scl_button1_pressed() | scl_button1_released() | scl_button4_pressed()
            | scl_button5_pressed(), nil)
        mouseinterval(0)
        var colors: Int32 = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = scl_colors()
        }
        terminalColors = colors
        maxPairs = max(0, scl_color_pairs())
        let env = ProcessInfo.processInfo.environment
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true || colors < 8 {
            colorDepth = .mono
        } else if colors >= 0x1000000 {
            // Direct-colour terminfo (TERM=xterm-direct, or chosen from COLORTERM by preferDirectColour).
            colorDepth = .truecolor
        } else if colors >= 256 {
            colorDepth = .colors256
        } else {
            colorDepth = .colors16
        }
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            wakeRead = fds[0]
            wakeWrite = fds[1]
            _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
            _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        }
    }

    /// When `COLORTERM` says the terminal takes 24-bit colour but `TERM` names a 256-colour entry, switches
    /// `TERM` to the matching direct-colour terminfo entry (`xterm-256color` → `xterm-direct`) if it is
    /// installed, so curses can send RGB. Inside tmux/screen nothing changes (they may not pass RGB on).
    static func preferDirectColour() {
        let env = ProcessInfo.processInfo.environment
        let colorterm = env["COLORTERM"]?.lowercased() ?? ""
        guard colorterm == "truecolor" || colorterm == "24bit", env["TMUX"] == nil, let term = env["TERM"],
            !term.contains("direct"), !term.hasPrefix("screen"), !term.hasPrefix("tmux")
        else { return }
        let base = term.replacingOccurrences(of: "-256color", with: "").replacingOccurrences(of: "-88color", with: "")
        let candidate = base + "-direct"
        var dirs = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        if let custom = env["TERMINFO"] { dirs.insert(custom, at: 0) }
        if let home = env["HOME"] { dirs.insert(home + "/.terminfo", at: 0) }
        guard let first = candidate.first else { return }
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        let exists = dirs.contains { dir in
            FileManager.default.fileExists(atPath: "\(dir)/\(first)/\(candidate)")
                || FileManager.default.fileExists(atPath: "\(dir)/\(hex)/\(candidate)")
        }
        if exists { setenv("TERM", candidate, 1) }
    }

    deinit {
        restore()
        if wakeRead >= 0 { close(wakeRead); close(wakeWrite) }
    }

    /// Gives the screen back and replays buffered standard error. Safe to call twice.
    public func restore() {
        TerminalRestore.restore()
    }

    /// Current size in cells.
    public var size: GridSize {
        GridSize(columns: Int(getmaxx(scl_stdscr())), rows: Int(getmaxy(scl_stdscr())))
    }

    /// One cell's size in screen pixels from the terminal's window size report, or `nil` when the terminal
    /// reports no pixel size (many do not, tmux among them).
    public var cellPixelSize: CellPixelSize? {
        var ws = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0, ws.ws_xpixel > 0, ws.ws_ypixel > 0
        else { return nil }
        let cell = CellPixelSize(width: Int(ws.ws_xpixel) / Int(ws.ws_col), height: Int(ws.ws_ypixel) / Int(ws.ws_row))
        return cell.width > 0 && cell.height > 0 ? cell : nil
    }

    /// A file descriptor whose write end ``wake()`` pokes, so background results interrupt ``nextEvent(timeoutMilliseconds:)``.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Copies `grid` to the screen, redrawing only rows that changed since the last call, then writes `pixels`
    /// (a sixel or kitty picture) at its cells. A picture already on screen is written again only when it
    /// changed or text was drawn over its cells; one no longer wanted is taken off (kitty: deleted; sixel:
    /// its lines are repainted by curses).
    public func draw(_ grid: CellGrid, pixels: PixelPicture? = nil) {
        var repaintAll = previous == nil
        if previous?.size != grid.size {
            previous = nil
            erase()
            repaintAll = true
        }
        let old = previous
        for row in 0..<grid.size.rows {
            if let old, rowEqual(old, grid, row) { continue }
            var column = 0
            while column < grid.size.columns {
                let cell = grid[column, row]
                if !cell.text.isEmpty { put(cell, column: column, row: row) }
                column += 1
            }
        }
        previous = grid
        var writePixels = pixels != nil && pixels != shownPixels
        if let shown = shownPixels {
            let coveredByText = repaintAll || old.map { !cellsEqual($0, grid, in: shown.frame) } ?? true
            if pixels != shown || coveredByText {
                takeOff(shown)
                shownPixels = nil
                writePixels = pixels != nil
            }
        }
        wnoutrefresh(scl_stdscr())
        doupdate()
        if writePixels, let pixels {
            show(pixels)
            shownPixels = pixels
        }
    }

    /// Writes a pixel picture at its top-left cell, keeping the cursor where curses left it (DECSC/DECRC).
    private func show(_ picture: PixelPicture) {
        var bytes = Array("\u{1B}7\u{1B}[\(picture.frame.y + 1);\(picture.frame.x + 1)H".utf8)
        bytes += picture.sequence
        bytes += Array("\u{1B}8".utf8)
        if picture.protocol == .kitty { TerminalRestore.kittyPicturesShown = true }
        TerminalRestore.writeAll(bytes)
    }

    /// Removes a pixel picture: kitty deletes its placements; sixel pixels are overwritten by repainting the
    /// lines they cover on the next update.
    private func takeOff(_ picture: PixelPicture) {
        switch picture.protocol {
        case .kitty:
            TerminalRestore.writeAll(Array(TerminalRestore.kittyDeleteAll.utf8))
        case .sixels:
            let rows = getmaxy(scl_stdscr())
            let first = Int32(picture.frame.y), count = min(Int32(picture.frame.height + 1), rows - first)
            if count > 0 { wredrawln(scl_stdscr(), first, count) }
        }
    }

    private func cellsEqual(_ a: CellGrid, _ b: CellGrid, in rect: CellRect) -> Bool {
        guard a.size == b.size else { return false }
        for row in max(0, rect.y)..<min(rect.maxY, a.size.rows) {
            for column in max(0, rect.x)..<min(rect.maxX, a.size.columns) where a[column, row] != b[column, row] { return false }
        }
        return true
    }

    /// Forgets what is on screen so the next ``draw(_:pixels:)`` repaints everything (pictures included).
    public func invalidate() {
        previous = nil
        clearok(scl_stdscr(), true)
    }

    private func rowEqual(_ a: CellGrid, _ b: CellGrid, _ row: Int) -> Bool {
        let n = a.size.columns
        let cellsA = a.cells, cellsB = b.cells
        for i in row * n..<(row + 1) * n where cellsA[i] != cellsB[i] { return false }
        return true
    }

    private func put(_ cell: Cell, column: Int, row: Int) {
        var attrs = scl_a_normal()
        if cell.style.bold { attrs |= scl_a_bold() }
        if cell.style.reverse { attrs |= scl_a_reverse() }
        if cell.style.underline { attrs |= scl_a_underline() }
        let pair = colorDepth == .mono ? 0 : pairNumber(cell.style)
        var scalars = cell.text.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
        scalars.append(0)
        _ = scalars.withUnsafeBufferPointer { scl_put_cell(Int32(row), Int32(column), $0.baseAddress, attrs, pair) }
    }

    private func pairNumber(_ style: CellStyle) -> Int32 {
        let key = PairKey(foreground: terminalColor(style.foreground), background: terminalColor(style.background))
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        if nextPair >= maxPairs {
            // Out of pairs: start over and repaint, since redefined pairs recolour cells already on screen.
            pairs.removeAll()
            nextPair = 1
            previous = nil
        }
        let pair = nextPair
        nextPair += 1
        init_extended_pair(pair, key.foreground, key.background)
        pairs[key] = pair
        return pair
    }

    private func terminalColor(_ color: CellColor) -> Int32 {
        switch color {
        case .terminalDefault: return -1
        case .indexed(let n):
            switch colorDepth {
            case .truecolor:
                if n < 16 { return Int32(n) }
                let (r, g, b) = ColorPalette.rgb(ofIndex: n)
                return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
            case .colors256: return Int32(n)
            case .colors16:
                let c = n < 16 ? Int32(n) : Int32(ColorPalette.nearest16(ColorPalette.rgb(ofIndex: n)))
                return terminalColors >= 16 ? c : c & 7
            case .mono: return -1
            }
        case .rgb(let r, let g, let b):
            switch colorDepth {
            case .truecolor: return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
            case .colors256: return Int32(ColorPalette.nearest256((r, g, b)))
            case .colors16:
                let c = Int32(ColorPalette.nearest16((r, g, b)))
                return terminalColors >= 16 ? c : c & 7
            case .mono: return -1
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for input or a ``wake()``, then decodes one input event if any.
    /// Returns `nil` on timeout or wake-up.
    public func nextEvent(timeoutMilliseconds: Int32) -> ExplorerEvent? {
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        // Curses may hold buffered input already; check it before sleeping.
        wtimeout(scl_stdscr(), 0)
        if let event = readKey() { return event }
        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if ready > 0 && fds[1].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &buffer, buffer.count) > 0 {}
        }
        if ready > 0 && fds[0].revents != 0 { return readKey() }
        if TerminalRestore.resized { TerminalRestore.resized = false }
        return nil
    }

    private func readKey() -> ExplorerEvent? {
        var ch: wint_t = 0
        let status = wget_wch(scl_stdscr(), &ch)
        if status == ERR { return nil }
        let code = Int32(bitPattern: ch)
        if status == KEY_CODE_YES {
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            case KEY_RESIZE: return .resize(size)
            case KEY_MOUSE:
                var event = MEVENT()
                guard getmouse(&event) == OK else { return nil }
                let state = event.bstate
                if state & scl_button4_pressed() != 0 { return .mouse(column: Int(event.x), row: Int(event.y), .wheelUp) }
                if scl_button5_pressed() != 0 && state & scl_button5_pressed() != 0 {
                    return .mouse(column: Int(event.x), row: Int(event.y), .wheelDown)
                }
                if state & (scl_button1_clicked() | scl_button1_pressed()) != 0 {
                    return .mouse(column: Int(event.x), row: Int(event.y), .click)
                }
                if state & scl_button1_released() != 0 { return .mouse(column: Int(event.x), row: Int(event.y), .release) }
                return nil
            default: return nil
            }
        }
        switch code {
        case 13, 10: return .key(.enter)
        case 27: return .key(.escape)
        case 127, 8: return .key(.backspace)
        case 9: return .key(.tab)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(code + 96)))))
        default:
            guard code >= 32, let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }
}

/// Process-wide terminal restoration: global because signal handlers cannot capture context.
enum TerminalRestore {
    nonisolated(unsafe) static var cursesActive = false
    nonisolated(unsafe) static var savedStderr: Int32 = -1
    nonisolated(unsafe) static var stderrBuffer: Int32 = -1
    nonisolated(unsafe) static var resized = false
    nonisolated(unsafe) static var handlersInstalled = false
    /// Set once a kitty picture was written: they are deleted before the screen is given back.
    nonisolated(unsafe) static var kittyPicturesShown = false

    /// Deletes every kitty image placement on screen and frees its data (quietly).
    static let kittyDeleteAll = "\u{1B}_Ga=d,d=A,q=2\u{1B}\\"

    /// Writes all of `bytes` to standard output, past curses' buffer (call after `doupdate`).
    static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Sends standard error to an unlinked temporary file until ``restore()``.
    static func bufferStderr() {
        guard savedStderr < 0 else { return }
        var template = Array("/tmp/scenarioclip-stderr-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        fflush(nil)
        savedStderr = dup(STDERR_FILENO)
        dup2(fd, STDERR_FILENO)
        stderrBuffer = fd
    }

    /// Ends curses and replays what was written to standard error meanwhile.
    static func restore() {
        if cursesActive {
            cursesActive = false
            if kittyPicturesShown {
                kittyPicturesShown = false
                writeAll(Array(kittyDeleteAll.utf8))
            }
            endwin()
        }
        if savedStderr >= 0 {
            fflush(nil)
            dup2(savedStderr, STDERR_FILENO)
            close(savedStderr)
            savedStderr = -1
            if stderrBuffer >= 0 {
                lseek(stderrBuffer, 0, SEEK_SET)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(stderrBuffer, &buffer, buffer.count)
                    if n <= 0 { break }
                    _ = write(STDERR_FILENO, buffer, n)
                }
                close(stderrBuffer)
                stderrBuffer = -1
            }
        }
    }

    /// On SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGINT: restore the terminal, then die of the signal.
    static func installSignalHandlers() {
        guard !handlersInstalled else { return }
        handlersInstalled = true
        for sig in [SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGINT] {
            signal(sig) { received in
                TerminalRestore.restore()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
        atexit { TerminalRestore.restore() }
    }
}
