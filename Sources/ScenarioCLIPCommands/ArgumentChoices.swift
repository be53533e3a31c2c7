import ArgumentParser
import Imaging
import ScenarioModel
import SceneImport
import Scenes
import Training

// Options with a fixed set of values are enums: ArgumentParser refuses any other value with the list of the valid
// ones, and `--help` shows them.

extension Level: ExpressibleByArgument {}
extension SceneSplit: ExpressibleByArgument {}
extension ActionSource: ExpressibleByArgument {}
extension TrainingArchitecture: ExpressibleByArgument {}
extension ImageFit: ExpressibleByArgument {}

/// `--level` where every level at once is also an answer.
enum LevelChoice: String, CaseIterable, ExpressibleByArgument {
    case global, object, relation, all

    /// The levels chosen.
    var levels: [Level] {
        switch self {
        case .global: [.global]
        case .object: [.object]
        case .relation: [.relation]
        case .all: Level.allCases
        }
    }
}

/// `--split` where the whole dataset is also an answer.
enum SplitChoice: String, CaseIterable, ExpressibleByArgument {
    case train, val, test, all

    /// The split chosen; `nil` for all records.
    var split: SceneSplit? { SceneSplit(rawValue: rawValue) }
}

/// `--dtype` of written vectors.
enum VectorDType: String, CaseIterable, ExpressibleByArgument {
    case float16, float32
}
