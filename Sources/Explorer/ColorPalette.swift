/// The xterm 256-colour palette and nearest-colour lookups for terminals with fewer colours.
enum ColorPalette {
    static let ansi: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// RGB of palette entry `index`.
    static func rgb(ofIndex index: UInt8) -> (UInt8, UInt8, UInt8) {
        let i = Int(index)
        if i < 16 { return ansi[i] }
        if i < 232 {
            let c = i - 16
            return (UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[c / 6 % 6]), UInt8(cubeLevels[c % 6]))
        }
        let v = UInt8(8 + (i - 232) * 10)
        return (v, v, v)
    }

    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return dr * dr * 3 + dg * dg * 4 + db * db * 2
    }

    /// Nearest of the 16 ANSI colours.
    static func nearest16(_ c: (UInt8, UInt8, UInt8)) -> UInt8 {
        UInt8((0..<16).min { distance(ansi[$0], c) < distance(ansi[$1], c) }!)
    }

    /// Nearest entry of the 6×6×6 cube or the grey ramp (16–255).
    static func nearest256(_ c: (UInt8, UInt8, UInt8)) -> UInt8 {
        func level(_ v: UInt8) -> Int { cubeLevels.indices.min { abs(cubeLevels[$0] - Int(v)) < abs(cubeLevels[$1] - Int(v)) }! }
        let cube = UInt8(16 + 36 * level(c.0) + 6 * level(c.1) + level(c.2))
        let mean: Int = (Int(c.0) + Int(c.1) + Int(c.2)) / 3
        let step: Int = min(23, max(0, mean - 3) / 10)
        let grey = UInt8(232 + step)
        return distance(rgb(ofIndex: cube), c) <= distance(rgb(ofIndex: grey), c) ? cube : grey
    }
}
