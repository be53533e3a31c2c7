/// Small element-wise helpers on flat `[Float]` activations.
enum Elementwise {
    /// `a += b`.
    static func add(_ a: inout [Float], _ b: [Float]) {
        precondition(a.count == b.count, "element-wise add of \(a.count) and \(b.count) values")
        a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                for i in 0..<ap.count { ap[i] += bp[i] }
            }
        }
    }

    /// `a + b`.
    static func sum(_ a: [Float], _ b: [Float]) -> [Float] {
        var r = a
        add(&r, b)
        return r
    }
}
