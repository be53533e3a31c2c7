import Numerics

/// Controls the BLAS thread count used by training.
public enum TrainingThreads {
    /// Sets the number of OpenBLAS threads; results are reproducible for a fixed count.
    public static func set(_ count: Int) { BLAS.threadCount = max(1, count) }
}
