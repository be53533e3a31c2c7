import ArgumentParser

/// `scenarioclip explore`: Browse a scene dataset in the terminal (the bundled demo by default).
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Browse a scene dataset in the terminal (the bundled demo by default)."
    )

    func run() throws {
        throw ValidationError("'explore' is not available yet in this build.")
    }
}
