#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import ScenarioCLIPCommands

// Line-buffered standard output even into files and pipes, so progress lines of long runs (`train`, `index`)
// reach logs as they happen rather than in 4 KB blocks.
setvbuf(stdout, nil, _IOLBF, 0)
#if canImport(Glibc)
    // Blocks of 1 MB and more (weights, activations of a batch) are mapped on their own and unmapped when freed.
    // glibc's default threshold moves up to the largest block freed so far, after which a model that packs its
    // weights one by one while dropping the sources serves them from a heap it cannot give back
    // (bench engine: peak 1.23–1.43× the weights instead of 1.11×).
    mallopt(M_MMAP_THRESHOLD, 1 << 20)
#endif
ScenarioCLIPCommand.main()
