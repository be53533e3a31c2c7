import Evaluation

enum LinearProbeSettingsForTests {
    static func make() -> LinearProbe.Settings {
        var settings = LinearProbe.Settings()
        settings.learningRate = 0.05
        settings.batchSize = 8
        return settings
    }
}
