import ArgumentParser
import Foundation
import Scenes

/// `scenarioclip check`: Validate a scene dataset and list every problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scene dataset and list every problem.",
        discussion: """
            Reads every metadata*.json file and classes.json of DATASET and reports each problem with its
            file, record and field: malformed JSON (line:column), missing or mistyped fields, relations naming
            unknown objects, labels missing from classes.json, empty or inverted boxes, boxes outside the
            image, missing image or focused-region files, duplicate ids. Exits with status 1 when any problem
            is an error. With --json the report also gives the split in use ("splits": train, val and test ids
            in the order the reference holds them): the reference's seeded shuffle and 70/20 cut, with records
            that declare `split` moved to it (docs/EXPORT.md).
            """
    )

    @Argument(help: "Dataset folder (or one metadata JSON file).")
    var dataset: String

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Check image and region files and boxes against image sizes (reads JPEG headers only).")
    var images = true

    @Flag(name: .long, help: "Stop at the first error.")
    var stopAtFirst = false

    /// The JSON report.
    struct Report: Encodable {
        var dataset: String
        var records: Int
        var errors: Int
        var warnings: Int
        var problems: [Problem]
        /// Ids per split (absent when the dataset could not be loaded).
        var splits: [String: [String]]?
    }

    /// One problem in the JSON report.
    struct Problem: Encodable {
        var file: String?
        var recordIndex: Int?
        var recordID: String?
        var field: String?
        var line: Int?
        var column: Int?
        var severity: String
        var message: String

        enum CodingKeys: String, CodingKey {
            case file, field, line, column, severity, message
            case recordIndex = "record_index"
            case recordID = "record_id"
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: dataset)
        let options = LoadOptions(stopAtFirstProblem: stopAtFirst, checkImages: images)
        var problems: [DatasetProblem]
        var recordCount = 0
        var splits: [String: [String]]?
        do {
            let loaded = try SceneDataset.load(from: url, options: options)
            problems = loaded.problems
            recordCount = loaded.records.count
            if json {
                let partition = loaded.splitPartition()
                splits = Dictionary(uniqueKeysWithValues: SceneSplit.allCases.map { split in
                    (split.rawValue, partition.indices(of: split).map { loaded.records[$0].id })
                })
            }
        } catch ScenesError.invalidDataset(let found) {
            problems = found
        }
        let errors = problems.filter { $0.severity == .error }.count
        let warnings = problems.count - errors
        if json {
            let report = Report(
                dataset: url.path, records: recordCount, errors: errors, warnings: warnings,
                problems: problems.map {
                    Problem(file: $0.file?.path, recordIndex: $0.recordIndex, recordID: $0.recordID, field: $0.field,
                            line: $0.line, column: $0.column, severity: $0.severity.rawValue, message: $0.message)
                }, splits: splits)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for problem in problems { print(problem.description) }
            let stopped = stopAtFirst && errors > 0 ? " (stopped at the first error)" : ""
            print("\(url.path): \(recordCount) usable record\(recordCount == 1 ? "" : "s"), "
                + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\(stopped)")
        }
        if errors > 0 { throw ExitCode(1) }
    }
}
