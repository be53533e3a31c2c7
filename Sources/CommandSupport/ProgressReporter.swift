import Foundation

/// Progress for long work: a redrawn bar with rate and ETA on a terminal, plain lines every few seconds
/// otherwise (logs, pipes). Writes to standard error so standard output stays clean for results.
/// Safe to call from several threads (`lock` guards the drawing state).
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let unit: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var drewBar = false

    public init(label: String, unit: String = "items") {
        self.label = label
        self.unit = unit
    }

    /// Reports `done` of `total` after `elapsed` seconds.
    public func update(done: Int, total: Int, elapsed: Double, force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let interval = isTerminal ? 0.1 : 5
        guard force || now.timeIntervalSince(lastPrint) >= interval || done == total else { return }
        lastPrint = now
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : nil
        let stats = "\(done)/\(total) \(unit)  \(String(format: "%.1f", rate)) \(unit)/s  ETA \(Self.clock(remaining))"
        if isTerminal {
            let width = 28
            let filled = total > 0 ? min(width, width * done / total) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(bar) \(stats)".utf8))
            drewBar = true
        } else {
            FileHandle.standardError.write(Data("\(label): \(stats)\n".utf8))
        }
    }

    /// Ends the bar's line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
        drewBar = false
    }

    /// `m:ss` or `h:mm:ss`; `?` when unknown.
    public static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}

/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a flag that long work checks between batches; a second
/// signal exits at once.
public final class InterruptFlag: @unchecked Sendable {
    // @unchecked Sendable: `lock` guards `raised`.
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    /// Starts listening for SIGINT and SIGTERM.
    public init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let again = self.raised
                self.raised = true
                self.lock.unlock()
                if again { exit(130) }
                FileHandle.standardError.write(Data("\ninterrupted: finishing the current batch (Ctrl-C again to quit now)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    /// `true` once a signal arrived.
    public var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
