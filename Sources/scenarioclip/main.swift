#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import ScenarioCLIPCommands

// Line-buffered standard output even into files and pipes, so progress lines of long runs (`train`, `index`)
// reach logs as they happen rather than in 4 KB blocks.
setvbuf(stdout, nil, _IOLBF, 0)
ScenarioCLIPCommand.main()
