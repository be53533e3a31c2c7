/// Errors from configuring, loading or running CLIP towers. Missing or misshapen tensors are
/// `WeightsError`s from the Weights module; these cover configs and inputs.
public enum CLIPError: Error, CustomStringConvertible, Equatable {
    /// `config.json` could not be decoded or holds impossible values.
    case invalidConfig(source: String, reason: String)
    /// `hidden_act` names an activation this engine does not implement.
    case unsupportedActivation(String, source: String)
    /// The model has no tower for the requested modality (e.g. text features from a vision-only folder).
    case missingTower(String)
    /// An input (pixels, token ids) does not fit the model.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidConfig(let source, let reason): "\(source): invalid CLIP config: \(reason)"
        case .unsupportedActivation(let name, let source):
            "\(source): unsupported hidden_act '\(name)' (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .missingTower(let what): "the model has no \(what) tower"
        case .invalidInput(let reason): "invalid input: \(reason)"
        }
    }
}

import Numerics
