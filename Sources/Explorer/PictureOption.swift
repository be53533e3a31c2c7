/// What `scenarioclip explore --pictures` asks for, and how `auto` is decided from the environment.
///
/// `auto` picks, in order:
/// 1. nothing but symbols inside tmux or GNU screen (`TMUX`, `STY`, or `TERM` starting with `screen`/`tmux`):
///    they do not pass pixel graphics through reliably;
/// 2. kitty graphics for kitty (`TERM=xterm-kitty` or `KITTY_WINDOW_ID` set) and Ghostty (`TERM=xterm-ghostty`,
///    `TERM_PROGRAM=ghostty`);
/// 3. sixels for terminals known to draw them: `TERM` starting with `foot`, `mlterm`, `contour` or `yaft`;
///    `TERM_PROGRAM` `WezTerm`, `iTerm.app`, `mlterm` or `contour`; Konsole 22.04 or newer (`KONSOLE_VERSION`);
/// 4. otherwise symbols (xterm draws sixels only when built and started for it: pass `--pictures sixels`).
///
/// A forced protocol (`sixels`, `kitty`) is used even inside a multiplexer. Pixel pictures also need the cell
/// size in pixels (from the terminal's window size report); without it the explorer falls back to symbols.
public enum PictureOption: String, CaseIterable, Sendable {
    case auto, symbols, sixels, kitty

    /// The picture mode for a terminal with `environment`, colour depth `depth` and cell size `cellPixels`
    /// (`nil` when the terminal does not report pixel sizes), and a note for the status line when a pixel
    /// protocol was wanted but cannot be used.
    public func mode(environment: [String: String], depth: ColorDepth, cellPixels: CellPixelSize?) -> (mode: PictureMode, note: String?) {
        let wanted: PixelProtocol?
        switch self {
        case .symbols: wanted = nil
        case .sixels: wanted = .sixels
        case .kitty: wanted = .kitty
        case .auto: wanted = Self.detectedProtocol(environment: environment)
        }
        guard let wanted else { return (.symbols(depth), nil) }
        guard let cell = cellPixels, cell.width > 0, cell.height > 0 else {
            let note = "\(wanted.rawValue) pictures need the terminal's cell size in pixels, which it does not report; showing symbols"
            return (.symbols(depth), self == .auto ? nil : note)
        }
        return (.pixels(wanted), nil)
    }

    /// The pixel protocol `auto` uses for this environment, or `nil` for symbols (see the type's rules).
    public static func detectedProtocol(environment env: [String: String]) -> PixelProtocol? {
        if isMultiplexer(environment: env) { return nil }
        let term = env["TERM"]?.lowercased() ?? ""
        let program = env["TERM_PROGRAM"] ?? ""
        if term == "xterm-kitty" || !(env["KITTY_WINDOW_ID"] ?? "").isEmpty { return .kitty }
        if term == "xterm-ghostty" || program.lowercased() == "ghostty" { return .kitty }
        if ["foot", "mlterm", "contour", "yaft"].contains(where: { term.hasPrefix($0) }) { return .sixels }
        if ["WezTerm", "iTerm.app", "mlterm", "contour"].contains(program) { return .sixels }
        if let konsole = env["KONSOLE_VERSION"].flatMap({ Int($0) }), konsole >= 220400 { return .sixels }
        return nil
    }

    /// `true` inside tmux or GNU screen.
    public static func isMultiplexer(environment env: [String: String]) -> Bool {
        let term = env["TERM"]?.lowercased() ?? ""
        return !(env["TMUX"] ?? "").isEmpty || !(env["STY"] ?? "").isEmpty || term.hasPrefix("screen") || term.hasPrefix("tmux")
    }
}
