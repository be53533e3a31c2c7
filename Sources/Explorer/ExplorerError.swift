/// Errors of the explorer, with the file, scene or call they concern.
public enum ExplorerError: Error, CustomStringConvertible, Equatable {
    /// Standard output or input is not a terminal.
    case notATerminal
    /// A curses call failed.
    case curses(call: String)
    /// The terminal type cannot position the cursor (`TERM=dumb`, or no terminfo entry), so nothing can be drawn.
    case cannotDraw(term: String)
    /// A theme file has a bad line.
    case theme(path: String, line: Int, message: String)
    /// No theme file with that name.
    case themeNotFound(name: String, searched: [String])
    /// A scene id the dataset does not hold.
    case unknownScene(id: String)
    /// A picture could not be rendered.
    case picture(sceneID: String, message: String)
    /// The backend cannot do this (no model, not indexed, …); the message says why.
    case unavailable(String)
    /// A query the backend could not parse or run.
    case query(String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "scenarioclip explore needs an interactive terminal: standard input and output must be a terminal "
                + "(use 'scenarioclip query' or 'classify' in scripts)"
        case .curses(let call): return "curses call \(call) failed"
        case .cannotDraw(let term):
            return "the terminal type TERM=\(term) cannot move the cursor, so scenarioclip explore cannot draw; run it in a "
                + "terminal emulator or set TERM to its type (for example TERM=xterm-256color)"
        case .theme(let path, let line, let message): return "\(path):\(line): \(message)"
        case .themeNotFound(let name, let searched):
            return "theme '\(name)' not found; looked for: \(searched.joined(separator: ", "))"
        case .unknownScene(let id): return "no scene with id '\(id)'"
        case .picture(let id, let message): return "picture of scene '\(id)': \(message)"
        case .unavailable(let message): return message
        case .query(let message): return "query: \(message)"
        }
    }
}
