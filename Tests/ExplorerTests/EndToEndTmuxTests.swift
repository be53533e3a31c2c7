import Foundation
import Imaging
import Testing

/// Drives the real `scenarioclip` binary inside a detached tmux session (120×40): open a dataset, move,
/// search, mark, quit, reopen, and find the mark again. Uses a private tmux server socket and a temporary
/// dataset and cache; every wait is bounded.
@Suite(.serialized) struct EndToEndTmuxTests {
    @Test(.timeLimit(.minutes(2)))
    func openMoveSearchMarkQuitReopen() throws {
        let binary = try #require(Tmux.scenarioclipBinary(), "scenarioclip binary not found next to the test bundle; run 'swift build' first")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scl-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: work) }
        let dataset = try TinyDataset.write(to: work.appendingPathComponent("tiny"))
        let cache = work.appendingPathComponent("cache.sqlite")
        let tmux = try Tmux(socket: "scl-e2e-\(getpid())")
        defer { tmux.killServer() }

        let command = [binary.path, "explore", dataset.path, "--cache", cache.path, "--no-index"]
        // First run: open, move, search, mark, quit.
        try tmux.start(command)
        try tmux.waitFor("ScenarioCLIP explorer", timeout: 60)
        try tmux.waitFor("6/6 scenes")
        try tmux.waitFor("tiny-000")
        tmux.send("j")
        try tmux.waitFor("Action: person holding a cup")
        tmux.send("/")
        tmux.sendLiteral("dog")
        // Results depend on the model and the index; either way the query line answers.
        try tmux.waitFor("/dog")
        try tmux.waitUntil(timeout: 30) { $0.contains("hits") || $0.contains("not indexed") || $0.contains("model unavailable") }
        tmux.send("Escape")
        tmux.send("Escape")
        try tmux.waitUntil { !$0.contains("/dog") }
        try tmux.markSceneWrong("tiny-001", note: "cup is a bowl")
        try tmux.quit()

        // Second run: the mark and its note are still there.
        try tmux.start(command)
        try tmux.waitFor("tiny-000", timeout: 60)
        try tmux.expectOnlyMark("✗ tiny-001 scene “cup is a bowl”")
        try tmux.waitFor("note: cup is a bowl")  // the marks view shows the marked scene
        try tmux.quit()
    }

    /// The demo's own scenes with the bundled model: the explorer indexes ten demo scenes in the background; an
    /// object-level query naming a class finds a region annotated with that class, and Enter shows it; a mark with
    /// a note survives quitting and reopening; moving shows the next scene.
    @Test(.timeLimit(.minutes(3)))
    func demoQueryMarkQuitReopen() throws {
        let binary = try #require(Tmux.scenarioclipBinary(), "scenarioclip binary not found next to the test bundle; run 'swift build' first")
        let model = DemoSubset.assets.appendingPathComponent("model/scenarioclip-demo.safetensors")
        try #require(FileManager.default.fileExists(atPath: model.path), "the bundled model is not installed")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scl-e2e-demo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: work) }
        let subset = try DemoSubset(scenes: 10, to: work.appendingPathComponent("demo10"))
        let query = "bicycle"
        try #require(subset.records.contains { $0.objects.contains(query) }, "the subset holds no \(query)")
        let tmux = try Tmux(socket: "scl-e2e-demo-\(getpid())")
        defer { tmux.killServer() }

        // Opens with the bundled model and indexes what the cache lacks, in the background.
        let command = [binary.path, "explore", subset.root.path, "--cache", work.appendingPathComponent("cache.sqlite").path]
        try tmux.start(command)
        try tmux.waitFor("10/10 scenes", timeout: 60)
        try tmux.waitFor("· indexed", timeout: 120)  // not "· not indexed"

        // Object level (Tab in the query line), then the class name.
        tmux.send("/")
        tmux.send("Tab")
        tmux.sendLiteral(query)
        var hits: [DemoSubset.Hit] = []
        try tmux.waitUntil(timeout: 30, "object hits for '\(query)'") { screen in
            guard screen.contains("“\(query)” [object]"), screen.contains(" hits") else { return false }
            hits = DemoSubset.Hit.parse(screen)
            return !hits.isEmpty
        }
        #expect(hits.count >= 5)
        #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        let top = try #require(hits.first)
        // The best region is annotated as that class in the dataset's own metadata.
        let record = try #require(subset.records.first { $0.id == top.sceneID }, "top hit \(top.sceneID) is not in the subset")
        #expect(top.label == query)
        #expect(record.objects.contains(query), "top hit \(top.sceneID) has objects \(record.objects)")
        // Every listed hit names an object its scene really has.
        for hit in hits {
            #expect(subset.records.first { $0.id == hit.sceneID }?.objects.contains(hit.label) == true, "\(hit)")
        }

        // Enter jumps to the top hit's scene with its region boxed as the hit.
        tmux.send("Enter")
        // (The detail pane wraps long actions: match their start.)
        try tmux.waitFor("Action: \(record.action.prefix(20))")
        try tmux.waitFor("┌hit")
        // Inside tmux `--pictures auto` draws symbols (block glyphs), never pixel protocols.
        let blocks = Set("▀▄█▌▐▖▗▘▝▙▛▜▟▚▞▁▂▃▅▆▇▊▋▍▎▏")
        #expect(tmux.capture().contains { blocks.contains($0) })

        // Mark the hit's scene wrong with a note, quit, reopen on the same cache: the mark is still there.
        try tmux.markSceneWrong(top.sceneID, note: "check the \(query)")
        try tmux.quit()

        try tmux.start(command)
        try tmux.waitFor("10/10 scenes", timeout: 60)
        try tmux.waitFor("· indexed", timeout: 60)  // everything was cached by the first run
        // Move: the second scene of the list is shown.
        tmux.send("j")
        try tmux.waitFor("Action: \(subset.records[1].action.prefix(20))")
        try tmux.expectOnlyMark("✗ \(top.sceneID) scene “check the \(query)”")
        try tmux.quit()
    }

    @Test(.timeLimit(.minutes(1)))
    func notATerminalGivesAClearMessageAndFails() throws {
        let binary = try #require(Tmux.scenarioclipBinary())
        // Standard output is a file, not a terminal: the explorer refuses to start.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("scl-notty-\(getpid()).txt")
        defer { try? FileManager.default.removeItem(at: out) }
        let shell = "'\(binary.path)' explore /nonexistent </dev/null >'\(out.path)' 2>&1; echo $? >>'\(out.path)'"
        var pid: pid_t = 0
        var args: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", shell].map { (s: String) in strdup(s) } + [nil]
        defer { for p in args { free(p) } }
        #expect(posix_spawn(&pid, "/bin/sh", nil, nil, &args, environ) == 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("needs an interactive terminal"))
        #expect(text.split(separator: "\n").last.map(String.init) == "2")
    }
}

/// A private tmux server for one test. Each `start` opens a new session before closing the previous one, so
/// the server never runs out of sessions (and exits) between two runs: a new client racing an exiting server
/// once left a test looking at an empty screen.
final class Tmux {
    let socket: String
    let tmux: String
    private var starts = 0
    private var session: String { "e2e-\(starts)" }

    init(socket: String) throws {
        self.socket = socket
        guard let path = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TmuxError("tmux is not installed (scripts/install-deps installs it)")
        }
        tmux = path
    }

    struct TmuxError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The `scenarioclip` executable built beside the test bundle.
    static func scenarioclipBinary() -> URL? {
        var candidates: [URL] = []
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("scenarioclip"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("scenarioclip"))
        if let executable = Bundle.main.executableURL {
            var dir = executable.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("scenarioclip"))
                dir.deleteLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/scenarioclip"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs a tmux client command with posix_spawn and waitpid (Foundation's Process can miss the exit of a
    /// client whose server daemon keeps running). Output is captured only when asked for: a command that
    /// starts the server would hand the pipe to the daemon, and reading it to the end would never finish.
    @discardableResult
    func run(_ arguments: [String], output: Bool = false) -> String {
        runWithStatus(arguments, output: output).output
    }

    /// `run`, also returning the client's exit status (-1 when it could not be started).
    func runWithStatus(_ arguments: [String], output: Bool = false) -> (output: String, status: Int32) {
        let argv = [tmux, "-L", socket, "-f", "/dev/null"] + arguments
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return ("", -1) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if output {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { (s: String) in strdup(s) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, tmux, &actions, nil, &cArgs, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard status == 0 else { return ("", -1) }
        var data = [UInt8]()
        if output {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = read(fds[0], &buffer, buffer.count)
                if n <= 0 { break }
                data += buffer[0..<n]
            }
        }
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) < 0 && errno == EINTR {}
        let code: Int32 = (exitStatus & 0x7f) == 0 ? (exitStatus >> 8) & 0xff : -1
        return (String(decoding: data, as: UTF8.self), code)
    }

    /// Starts `command` in a fresh 120×40 session; after it exits the pane shows `EXPLORE_EXIT=<status>`.
    func start(_ command: [String]) throws {
        let previous = starts > 0 ? session : nil
        starts += 1
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let shell = "\(quoted); echo EXPLORE_EXIT=$?; sleep 20"
        let create = ["new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env TERM=xterm-256color sh -c \"\(shell.replacingOccurrences(of: "\"", with: "\\\""))\""]
        var attempts = 0
        while runWithStatus(create).status != 0 || runWithStatus(["has-session", "-t", session]).status != 0 {
            attempts += 1
            guard attempts < 5 else { throw TmuxError("tmux could not start session \(session) on socket \(socket)") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        if let previous { run(["kill-session", "-t", previous]) }
    }

    func send(_ key: String) { run(["send-keys", "-t", session, key]) }
    func sendLiteral(_ text: String) { run(["send-keys", "-t", session, "-l", text]) }
    func capture() -> String { run(["capture-pane", "-t", session, "-p"], output: true) }
    /// Ends the server and everything it runs, also when a failed test left the explorer running: the panes'
    /// process groups and the server are killed outright after `kill-server`.
    func killServer() {
        let panes = run(["list-panes", "-a", "-F", "#{pane_pid}"], output: true)
            .split(whereSeparator: \.isNewline).compactMap { pid_t(String($0)) }
        let server = pid_t(run(["display-message", "-p", "#{pid}"], output: true)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        run(["kill-server"])
        for pid in panes where pid > 1 {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        if let server, server > 1 { kill(server, SIGKILL) }
    }

    /// `x` on the scene in focus, then `n` with `note`; waits for both confirmations.
    func markSceneWrong(_ sceneID: String, note: String) throws {
        send("x")
        try waitFor("marked scene of \(sceneID) wrong")
        send("n")
        sendLiteral(note)
        send("Enter")
        try waitFor("note saved on scene")
    }

    /// Opens the marks view (`M`) and waits for exactly one mark, shown as `line`.
    func expectOnlyMark(_ line: String) throws {
        send("M")
        try waitFor("Marks (1)")
        try waitFor(line)
    }

    /// `q`, and waits for the explorer's exit status 0.
    func quit() throws {
        send("q")
        try waitFor("EXPLORE_EXIT=0")
    }

    func waitFor(_ text: String, timeout: TimeInterval = 15) throws {
        try waitUntil(timeout: timeout, "'\(text)'") { $0.contains(text) }
    }

    func waitUntil(timeout: TimeInterval = 15, _ what: String = "condition", _ predicate: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = capture()
            if predicate(screen) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TmuxError("timed out after \(Int(timeout)) s waiting for \(what); screen:\n\(screen)")
    }
}

/// Six scenes in the reference format with real JPEG pictures.
enum TinyDataset {
    static func write(to root: URL) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("images"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("regions"), withIntermediateDirectories: true)
        let kinds: [(String, [(String, [Int])], [String])] = [
            ("dog chasing a ball", [("dog", [8, 40, 60, 90]), ("ball", [80, 70, 100, 90])], ["dog", "chasing", "ball"]),
            ("person holding a cup", [("person", [30, 5, 80, 110]), ("cup", [70, 50, 95, 75])], ["person", "holding", "cup"]),
            ("cat sleeping on a chair", [("cat", [35, 25, 85, 55]), ("chair", [25, 45, 100, 115])], ["cat", "on", "chair"]),
        ]
        var records: [[String: Any]] = []
        for i in 0..<6 {
            let (action, objects, triple) = kinds[i % 3]
            var image = RGBImage(width: 120, height: 120)
            for p in stride(from: 0, to: image.pixels.count, by: 3) { image.pixels[p] = 30; image.pixels[p + 1] = 90; image.pixels[p + 2] = 40 }
            for (n, (_, box)) in objects.enumerated() {
                for y in box[1]..<box[3] {
                    for x in box[0]..<box[2] {
                        let p = (y * 120 + x) * 3
                        image.pixels[p] = n == 0 ? 200 : 230; image.pixels[p + 1] = n == 0 ? 120 : 220; image.pixels[p + 2] = n == 0 ? 60 : 40
                    }
                }
            }
            let name = String(format: "tiny-%03d", i)
            try JPEG.write(image, to: root.appendingPathComponent("images/\(name).jpg"), quality: 90)
            try JPEG.write(image, to: root.appendingPathComponent("regions/\(name)_0.jpg"), quality: 90)
            records.append([
                "id": name, "image_path": "images/\(name).jpg", "action": action,
                "dense_caption": "A tiny test scene where a \(action).",
                "objects": objects.map { [$0.0, $0.1] as [Any] },
                "relations": [["regions/\(name)_0.jpg", triple] as [Any]],
            ])
        }
        let metadata = try JSONSerialization.data(withJSONObject: ["data": records], options: [.prettyPrinted, .sortedKeys])
        try metadata.write(to: root.appendingPathComponent("metadata.json"))
        let classes: [String: [String]] = [
            "actions": kinds.map(\.0),
            "objects": ["ball", "cat", "chair", "cup", "dog", "person"],
            "relations": kinds.map { $0.2.joined(separator: " ") },
        ]
        try JSONSerialization.data(withJSONObject: classes, options: [.sortedKeys]).write(to: root.appendingPathComponent("classes.json"))
        return root
    }
}

/// The first scenes of the bundled demo dataset copied into a folder, with their annotations read back from
/// the demo's metadata (what the tests check results against).
struct DemoSubset {
    struct Record {
        var id: String
        var action: String
        var objects: [String]
    }

    /// One row of the explorer's hit list at the object level: `0.434 000000 obj bicycle`.
    struct Hit: CustomStringConvertible {
        var score: Float
        var sceneID: String
        var label: String

        var description: String { "\(sceneID) obj \(label) \(score)" }

        /// Hit rows of the list pane (left of the first `│`), top to bottom.
        static func parse(_ screen: String) -> [Hit] {
            screen.split(separator: "\n").compactMap { line in
                guard let pane = line.split(separator: "│", maxSplits: 1, omittingEmptySubsequences: false).first else { return nil }
                let words = pane.split(separator: " ")
                guard words.count >= 4, words[2] == "obj", let score = Float(words[0]), words[0].contains(".") else { return nil }
                return Hit(score: score, sceneID: String(words[1]), label: words[3...].joined(separator: " "))
            }
        }
    }

    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets")

    let root: URL
    let records: [Record]

    /// Copies the first `scenes` records of `Assets/demo` (pictures, focused regions, metadata, classes) to `root`.
    init(scenes: Int, to root: URL) throws {
        let demo = DemoSubset.assets.appendingPathComponent("demo")
        let fm = FileManager.default
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("metadata.json")))
        let all = try #require((metadata as? [String: Any])?["data"] as? [[String: Any]])
        let chosen = Array(all.prefix(scenes))
        for folder in ["images", "regions"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        var records: [Record] = []
        for record in chosen {
            let image = try #require(record["image_path"] as? String)
            var files = [image]
            let relations = try #require(record["relations"] as? [[Any]])
            files += relations.compactMap { $0.first as? String }
            for file in files { try fm.copyItem(at: demo.appendingPathComponent(file), to: root.appendingPathComponent(file)) }
            let objects = try #require(record["objects"] as? [[Any]]).compactMap { $0.first as? String }
            records.append(Record(id: try #require(record["id"] as? String), action: try #require(record["action"] as? String), objects: objects))
        }
        try JSONSerialization.data(withJSONObject: ["data": chosen]).write(to: root.appendingPathComponent("metadata.json"))
        try fm.copyItem(at: demo.appendingPathComponent("classes.json"), to: root.appendingPathComponent("classes.json"))
        self.root = root
        self.records = records
    }
}
