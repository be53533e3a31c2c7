import ArgumentParser
import Explorer

/// Library enums given on the command line, shared by `explore` and `bench explorer`.
extension PictureOption: ExpressibleByArgument {}
