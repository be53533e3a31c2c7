#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Numerics
import ScenarioCLIPCommands

// Line-buffered standard output even into files and pipes, so progress lines of long runs (`train`, `index`)
// reach logs as they happen rather than in 4 KB blocks.
setvbuf(stdout, nil, _IOLBF, 0)
// Weights and batch activations of 1 MB or more get their own mappings, given back when freed (see
// TensorStorage.mapLargeAllocations: keeps peak memory near the weights while a model packs them, layer by layer).
TensorStorage.mapLargeAllocations()
ScenarioCLIPCommand.main()
