#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Foundation
import Numerics
import ScenarioCLIPCommands

// OpenBLAS picks its kernels when it loads, from the CPUID models it knows; on a CPU it does not know it falls back
// to SSE3 kernels. Where that happened, load it again with the kernels this CPU can run (same process id, same
// arguments): `OPENBLAS_CORETYPE` is read only at load time.
if let core = BLAS.coreTypeToLoad(environment: ProcessInfo.processInfo.environment) {
    setenv("OPENBLAS_CORETYPE", core, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the kernels OpenBLAS chose.
}

// Line-buffered standard output even into files and pipes, so progress lines of long runs (`train`, `index`)
// reach logs as they happen rather than in 4 KB blocks.
setvbuf(stdout, nil, _IOLBF, 0)
// Weights and batch activations of 1 MB or more get their own mappings, given back when freed (see
// TensorStorage.mapLargeAllocations: keeps peak memory near the weights while a model packs them, layer by layer).
TensorStorage.mapLargeAllocations()
ScenarioCLIPCommand.main()
