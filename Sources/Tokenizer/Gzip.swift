/// A small gzip (RFC 1952) / DEFLATE (RFC 1951) decoder, enough to read the bundled merges file
/// without linking zlib. Table-driven Huffman decoding (one lookup per symbol).
enum Gzip {
    struct Failure: Error {
        let reason: String
    }

    /// Decompresses all members of a gzip file.
    /// - Throws: ``Failure`` naming what is wrong with the stream.
    static func decompress(_ data: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(data.count * 3)
        try data.withUnsafeBufferPointer { buffer in
            var offset = 0
            repeat {
                offset = try member(buffer, at: offset, into: &output)
                while offset < buffer.count && buffer[offset] == 0 { offset += 1 }  // trailing padding
            } while offset < buffer.count
        }
        return output
    }

    private static func member(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int, into output: inout [UInt8])
        throws -> Int
    {
        guard buffer.count - start >= 18 else { throw Failure(reason: "file too short for a gzip member") }
        guard buffer[start] == 0x1F, buffer[start + 1] == 0x8B else { throw Failure(reason: "missing gzip magic") }
        guard buffer[start + 2] == 8 else { throw Failure(reason: "compression method \(buffer[start + 2]) is not deflate") }
        let flags = buffer[start + 3]
        var p = start + 10
        func need(_ n: Int) throws {
            if p + n > buffer.count { throw Failure(reason: "truncated gzip header") }
        }
        if flags & 4 != 0 {  // FEXTRA
            try need(2)
            let xlen = Int(buffer[p]) | Int(buffer[p + 1]) << 8
            p += 2
            try need(xlen)
            p += xlen
        }
        for bit: UInt8 in [8, 16] where flags & bit != 0 {  // FNAME, FCOMMENT: zero-terminated
            while true {
                try need(1)
                p += 1
                if buffer[p - 1] == 0 { break }
            }
        }
        if flags & 2 != 0 { p += 2 }  // FHCRC
        let before = output.count
        var inflater = Inflater(buffer: buffer, byteOffset: p)
        try inflater.run(into: &output)
        p = inflater.alignedOffset
        guard p + 8 <= buffer.count else { throw Failure(reason: "truncated gzip trailer") }
        let isize = UInt32(buffer[p + 4]) | UInt32(buffer[p + 5]) << 8 | UInt32(buffer[p + 6]) << 16
            | UInt32(buffer[p + 7]) << 24
        guard UInt32(truncatingIfNeeded: output.count - before) == isize else {
            throw Failure(reason: "decompressed size \(output.count - before) does not match trailer size \(isize)")
        }
        return p + 8
    }
}

/// DEFLATE decoder state over a byte buffer.
private struct Inflater {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    var bitBuffer: UInt64 = 0
    var bitCount: Int = 0

    init(buffer: UnsafeBufferPointer<UInt8>, byteOffset: Int) {
        self.buffer = buffer
        self.position = byteOffset
    }

    /// Byte offset just after the last consumed bit (rounded up to a byte).
    var alignedOffset: Int { position - bitCount / 8 }

    mutating func refill() {
        while bitCount <= 56 {
            let byte: UInt64 = position < buffer.count ? UInt64(buffer[position]) : 0
            position += 1
            bitBuffer |= byte << UInt64(bitCount)
            bitCount += 8
        }
    }

    mutating func bits(_ n: Int) throws -> Int {
        if n == 0 { return 0 }
        if bitCount < n { refill() }
        if position - (bitCount - n) / 8 > buffer.count + 1 {
            throw Gzip.Failure(reason: "deflate stream runs past the end of the file")
        }
        let value = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    /// Canonical Huffman table: `entries[peek(15)]` = symbol << 4 | length.
    struct Table {
        var entries: [UInt32]
        var maxLength: Int
    }

    static func makeTable(_ lengths: [Int]) throws -> Table {
        var maxLength = 0
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths where l > 0 {
            counts[l] += 1
            maxLength = max(maxLength, l)
        }
        if maxLength == 0 { return Table(entries: [0], maxLength: 0) }
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1...15 {
            code = (code + counts[bits - 1]) << 1
            nextCode[bits] = code
        }
        var entries = [UInt32](repeating: 0, count: 1 << maxLength)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let c = nextCode[length]
            nextCode[length] += 1
            guard c < (1 << length) else { throw Gzip.Failure(reason: "over-subscribed Huffman code") }
            var reversed = 0
            for i in 0..<length where c & (1 << i) != 0 { reversed |= 1 << (length - 1 - i) }
            var index = reversed
            while index < entries.count {
                entries[index] = UInt32(symbol) << 4 | UInt32(length)
                index += 1 << length
            }
        }
        return Table(entries: entries, maxLength: maxLength)
    }

    mutating func decode(_ table: Table) throws -> Int {
        if bitCount < 15 { refill() }
        let entry = table.entries[Int(bitBuffer & UInt64((1 << table.maxLength) - 1))]
        let length = Int(entry & 15)
        guard length > 0 else { throw Gzip.Failure(reason: "invalid Huffman code") }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return Int(entry >> 4)
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func run(into output: inout [UInt8]) throws {
        let memberStart = output.count
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0:
                // stored block: drop to a byte boundary
                _ = try bits(bitCount % 8)
                let len = try bits(16)
                let nlen = try bits(16)
                guard len == (~nlen & 0xFFFF) else { throw Gzip.Failure(reason: "stored block length check failed") }
                for _ in 0..<len { output.append(UInt8(try bits(8))) }
            case 1:
                var lengths = [Int](repeating: 8, count: 288)
                for i in 144..<256 { lengths[i] = 9 }
                for i in 256..<280 { lengths[i] = 7 }
                let lit = try Self.makeTable(lengths)
                let dist = try Self.makeTable([Int](repeating: 5, count: 30))
                try block(lit, dist, memberStart, &output)
            case 2:
                let hlit = try bits(5) + 257
                let hdist = try bits(5) + 1
                let hclen = try bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<hclen { codeLengths[order[i]] = try bits(3) }
                let codeTable = try Self.makeTable(codeLengths)
                var lengths: [Int] = []
                while lengths.count < hlit + hdist {
                    let sym = try decode(codeTable)
                    switch sym {
                    case 0..<16: lengths.append(sym)
                    case 16:
                        guard let prev = lengths.last else { throw Gzip.Failure(reason: "repeat with no previous length") }
                        lengths += [Int](repeating: prev, count: 3 + (try bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
                    }
                }
                guard lengths.count == hlit + hdist else { throw Gzip.Failure(reason: "code lengths overflow") }
                let lit = try Self.makeTable(Array(lengths[0..<hlit]))
                let dist = try Self.makeTable(Array(lengths[hlit...]))
                try block(lit, dist, memberStart, &output)
            default:
                throw Gzip.Failure(reason: "reserved block type")
            }
        }
    }

    mutating func block(_ lit: Table, _ dist: Table, _ memberStart: Int, _ output: inout [UInt8]) throws {
        while true {
            let sym = try decode(lit)
            if sym < 256 {
                output.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < 29 else { throw Gzip.Failure(reason: "bad length symbol \(sym)") }
                let length = Self.lengthBase[li] + (try bits(Self.lengthExtra[li]))
                let di = try decode(dist)
                guard di < 30 else { throw Gzip.Failure(reason: "bad distance symbol \(di)") }
                let distance = Self.distBase[di] + (try bits(Self.distExtra[di]))
                guard distance <= output.count - memberStart else {
                    throw Gzip.Failure(reason: "distance \(distance) reaches before the start of the stream")
                }
                let from = output.count - distance
                for k in 0..<length { output.append(output[from + k]) }
            }
        }
    }
}
