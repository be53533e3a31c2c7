import Foundation
import Testing

/// `scenarioclip explore` on a terminal that cannot draw: a clear message, nothing left on the screen.
@Suite struct ExploreTerminalCLITests {
    @Test func aDumbTerminalIsRefusedWithAMessage() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            Issue.record("util-linux `script` is needed to give the explorer a pseudo-terminal")
            return
        }
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = folder.appendingPathComponent("scenes")
        #expect(try CLIHarness.run(["generate", dataset.path, "--scenes", "2", "--seed", "1", "--size", "128x96"]).status == 0)
        // `script` runs the explorer on a pseudo-terminal; its transcript is the terminal's output.
        let command = "TERM=dumb '\(CLIHarness.binary.path)' explore '\(dataset.path)'"
        let output = try CLIHarness.runCommand("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        let text = output.stdout + output.stderr
        #expect(text.contains("TERM=dumb cannot move the cursor"), "\(text)")
        #expect(!text.contains("\u{1B}["), "escape sequences left behind: \(text.debugDescription)")
    }
}
