import Foundation

/// What a piece of the screen is, so a theme can colour it.
public enum ThemeRole: String, CaseIterable, Sendable {
    case normal, title, status, hint, dim, border, heading
    case selection, selectionInactive = "selection-inactive"
    case label, score, caption
    case box, boxSelected = "box-selected", boxHit = "box-hit"
    case agree, disagree
    case markCorrect = "mark-correct", markWrong = "mark-wrong", markUnsure = "mark-unsure"
    case query, error, help, progress
}

/// Colour theme: a style per ``ThemeRole``, read from a small text file in `Themes/`.
///
/// Format, one role a line: `role = FOREGROUND BACKGROUND [bold] [reverse] [underline]`, colours written as
/// `default`, an ANSI name (`black`, `red`, … `white`, `bright-red`, …), a palette number `0`–`255` or `#rrggbb`.
/// Lines starting with `#` are comments. Roles left out fall back to `normal`.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ThemeRole: CellStyle]

    public init(name: String, styles: [ThemeRole: CellStyle]) {
        self.name = name
        self.styles = styles
    }

    /// The style of `role` (the `normal` style when the theme leaves it out).
    public subscript(role: ThemeRole) -> CellStyle {
        styles[role] ?? styles[.normal] ?? .plain
    }

    /// Parses theme text; `source` names the file in errors.
    /// - Throws: ``ExplorerError/theme(path:line:message:)`` naming the line and the bad word.
    public init(parsing text: String, name: String, source: String) throws {
        self.name = name
        styles = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw ExplorerError.theme(path: source, line: index + 1, message: "expected 'role = fg bg [attributes]'")
            }
            guard let role = ThemeRole(rawValue: parts[0]) else {
                throw ExplorerError.theme(
                    path: source, line: index + 1,
                    message: "unknown role '\(parts[0])' (known: \(ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let words = parts[1].split(separator: " ").map(String.init)
            var style = CellStyle()
            var colours: [CellColor] = []
            for word in words {
                switch word.lowercased() {
                case "bold": style.bold = true
                case "reverse": style.reverse = true
                case "underline": style.underline = true
                default:
                    guard let colour = Theme.parseColour(word) else {
                        throw ExplorerError.theme(path: source, line: index + 1, message: "unknown colour or attribute '\(word)'")
                    }
                    colours.append(colour)
                }
            }
            guard colours.count <= 2 else {
                throw ExplorerError.theme(path: source, line: index + 1, message: "at most two colours (foreground, background)")
            }
            if colours.count > 0 { style.foreground = colours[0] }
            if colours.count > 1 { style.background = colours[1] }
            styles[role] = style
        }
    }

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses one colour word, or `nil`.
    static func parseColour(_ word: String) -> CellColor? {
        let w = word.lowercased()
        if w == "default" { return .terminalDefault }
        if let i = ansiNames.firstIndex(of: w) { return .indexed(UInt8(i)) }
        if w.hasPrefix("bright-"), let i = ansiNames.firstIndex(of: String(w.dropFirst(7))) { return .indexed(UInt8(i + 8)) }
        if let n = Int(w), (0...255).contains(n) { return .indexed(UInt8(n)) }
        if w.hasPrefix("#"), w.count == 7, let v = UInt32(w.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        }
        return nil
    }

    /// Folders searched for `NAME.theme`: `SCENARIOCLIP_THEMES`, `Themes` beside or above the executable,
    /// then the source checkout's `Themes`.
    public static var searchDirectories: [URL] {
        var result: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SCENARIOCLIP_THEMES"], !env.isEmpty {
            result.append(URL(fileURLWithPath: env, isDirectory: true))
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            result.append(dir.appendingPathComponent("Themes", isDirectory: true))
            dir.deleteLastPathComponent()
        }
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        result.append(sourceRoot.appendingPathComponent("Themes", isDirectory: true))
        return result
    }

    /// Loads a theme by name (`dark`, `light`, `mono`, …) from ``searchDirectories``, or from a file path.
    /// - Throws: ``ExplorerError/themeNotFound(name:searched:)`` or a parse error.
    public static func load(named name: String) throws -> Theme {
        let fm = FileManager.default
        if name.contains("/") || name.hasSuffix(".theme") {
            let url = URL(fileURLWithPath: name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ExplorerError.themeNotFound(name: name, searched: [url.path])
            }
            return try Theme(parsing: text, name: url.deletingPathExtension().lastPathComponent, source: url.path)
        }
        for dir in searchDirectories {
            let url = dir.appendingPathComponent("\(name).theme")
            if fm.fileExists(atPath: url.path), let text = try? String(contentsOf: url, encoding: .utf8) {
                return try Theme(parsing: text, name: name, source: url.path)
            }
        }
        if name == "dark" { return .builtInDark }
        throw ExplorerError.themeNotFound(name: name, searched: searchDirectories.map { $0.appendingPathComponent("\(name).theme").path })
    }

    /// A dark theme compiled in, used only when `Themes/dark.theme` cannot be found (an installed binary alone).
    public static let builtInDark: Theme = {
        // Same content as Themes/dark.theme, kept short.
        let text = """
            normal = default default
            title = black cyan bold
            status = black white
            hint = cyan default
            dim = bright-black default
            border = bright-black default
            heading = yellow default bold
            selection = black cyan
            selection-inactive = default bright-black
            label = white default
            score = green default
            caption = default default
            box = yellow default
            box-selected = bright-white magenta bold
            box-hit = black bright-green bold
            agree = green default
            disagree = bright-red default bold
            mark-correct = green default bold
            mark-wrong = red default bold
            mark-unsure = yellow default bold
            query = bright-white blue
            error = bright-white red bold
            help = default default
            progress = black green
            """
        return (try? Theme(parsing: text, name: "dark", source: "built-in")) ?? Theme(name: "dark", styles: [:])
    }()
}
