import CNumerics
import Numerics
import Testing

/// The choice of OpenBLAS kernels for CPUs that OpenBLAS does not recognise.
@Suite struct BLASCoreTests {
    let avx2 = Int(CPU_FEATURE_AVX2_FMA)
    let avx512 = Int(CPU_FEATURE_AVX2_FMA) | Int(CPU_FEATURE_AVX512)

    @Test func fallbackKernelsAreReplacedByWhatTheCPUCanRun() {
        #expect(BLAS.betterCoreType(chosen: "Prescott", cpuFeatures: avx512) == "SkylakeX")
        #expect(BLAS.betterCoreType(chosen: "Prescott", cpuFeatures: avx2) == "Haswell")
        #expect(BLAS.betterCoreType(chosen: "NEHALEM", cpuFeatures: avx2) == "Haswell")
        #expect(BLAS.betterCoreType(chosen: "Sandybridge", cpuFeatures: avx512) == "SkylakeX")
    }

    @Test func aChoiceWithAVX2OrACPUWithoutItIsKept() {
        for core in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"] {
            #expect(BLAS.betterCoreType(chosen: core, cpuFeatures: avx512) == nil, "\(core)")
        }
        #expect(BLAS.betterCoreType(chosen: "Prescott", cpuFeatures: 0) == nil)
    }

    @Test func anExplicitCoreTypeIsNeverOverridden() {
        #expect(BLAS.coreTypeToLoad(environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
    }

    @Test func thisProcessGetsAnOverrideExactlyWhenOpenBLASChoseFallbackKernels() {
        let expected = BLAS.betterCoreType(chosen: BLAS.coreName, cpuFeatures: BLAS.cpuFeatures)
        #expect(BLAS.coreTypeToLoad(environment: [:]) == expected)
        #expect(!BLAS.coreName.isEmpty)
    }
}
