import Foundation
import Numerics
import Testing

/// `scenarioclip` runs OpenBLAS with kernels this CPU can run, also where OpenBLAS does not recognise the CPU and
/// falls back to SSE3 kernels (it then re-executes itself with `OPENBLAS_CORETYPE`).
@Suite struct BLASCoreCLITests {
    /// The cores OpenBLAS reports at load (`OPENBLAS_VERBOSE=2` prints `Core: NAME` each time it loads).
    func loadedCores(environment: [String: String?]) throws -> [String] {
        let result = try CLIHarness.run(["--help"], environment: environment.merging(["OPENBLAS_VERBOSE": "2"]) { $1 })
        #expect(result.status == 0)
        return (result.stdout + "\n" + result.stderr).split(separator: "\n")
            .filter { $0.hasPrefix("Core: ") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func theKernelsInUseAreAtLeastWhatTheCPUAllows() throws {
        let cores = try loadedCores(environment: ["OPENBLAS_CORETYPE": nil])
        let last = try #require(cores.last)
        #expect(BLAS.betterCoreType(chosen: last, cpuFeatures: BLAS.cpuFeatures) == nil,
                "OpenBLAS ran \(last) kernels (loaded as \(cores)) on a CPU with features \(BLAS.cpuFeatures)")
        // Re-executed exactly when this process's OpenBLAS chose fallback kernels.
        #expect(cores.count == (BLAS.coreTypeToLoad(environment: [:]) == nil ? 1 : 2), "\(cores)")
    }

    @Test func aCoreTypeTheUserSetIsKept() throws {
        #expect(try loadedCores(environment: ["OPENBLAS_CORETYPE": "Haswell"]) == ["Haswell"])
    }
}
