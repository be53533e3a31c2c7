import ArgumentParser

/// `scenarioclip corrections export`: the stored corrections for programs (--json or --csv).
struct CorrectionsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the dataset's corrections as --json or --csv (oldest first)."
    )

    @OptionGroup var target: CorrectionsDatasetOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV with a header row.")
    var csv = false

    func validate() throws {
        if json == csv { throw ValidationError("give one of --json and --csv") }
    }

    func run() throws {
        try CorrectionsListCommand.print(target: target, scene: nil, json: json, csv: csv)
    }
}
