import ScenarioModel

/// Hyper-parameters of a training run (reference defaults unless noted).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var architecture: TrainingArchitecture = .scenarioclip1
    /// Peak learning rate (reference: 2e-5 for fine-tuning pretrained towers).
    public var learningRate: Float = 2e-5
    public var weightDecay: Float = 0.2
    /// Scenes per batch.
    public var batchSize: Int = 32
    public var epochs: Int = 12
    public var warmupRatio: Double = 0.1
    /// Global gradient-norm clip (0 disables).
    public var gradientClip: Float = 1
    /// EMA teacher decay and its linear warm-up in steps.
    public var emaDecay: Float = 0.9995
    public var emaWarmupSteps: Int = 2000
    /// Frozen lower layers per tower, and whether embeddings are frozen (reference: 6 / 10 / true).
    public var frozenVisionLayers: Int = 0
    public var frozenTextLayers: Int = 0
    public var freezeEmbeddings: Bool = false
    /// Whether the distillation student temperature is trained (at 0.1× the learning rate).
    public var learnStudentTemperature: Bool = true
    /// Seed for initialisation, shuffling and augmentation.
    public var seed: UInt64 = 0
    /// Whether train-time augmentations are applied.
    public var augment: Bool = true
    /// Whether the three levels' encoders run on separate threads (results are identical either way).
    public var parallelLevels: Bool = false
    /// The levels whose losses are trained (all by default). For a three-level model the towers and logit
    /// scale of every other level stay fixed and are not run while training, so a run that trains one level
    /// costs about that level's share of a full step; validation still reports every level.
    public var trainedLevels: [Level] = Level.allCases

    public init() {}
}
