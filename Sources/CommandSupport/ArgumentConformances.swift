import ArgumentParser
import Explorer
import Numerics

/// Library enums given on the command line, shared by the commands and the benchmarks.
extension PictureOption: ExpressibleByArgument {}
extension KernelLevel: ExpressibleByArgument {}
extension Linear.ProductPath: ExpressibleByArgument {}
extension Linear.FewRowsPath: ExpressibleByArgument {}
