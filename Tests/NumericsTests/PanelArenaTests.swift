import Foundation
import Testing

@testable import Numerics

/// ``PanelArena``: page-aligned blocks that do not overlap, regions given back once their blocks are freed, blocks
/// larger than a region, and the huge-page advice where Linux reports it.
@Suite struct PanelArenaTests {
    @Test func blocksAreAlignedDisjointAndKeepTheirContents() {
        let arena = PanelArena(regionSize: 4 << 20)
        let sizes = [1, 100, 4096, 4097, 300_000, 1 << 20, 3 << 20, 9 << 20]
        let blocks = sizes.map { arena.allocate(byteCount: $0) }
        for (index, (block, size)) in zip(blocks, sizes).enumerated() {
            #expect(Int(bitPattern: block) % PanelArena.page == 0, "block \(index) is page-aligned")
            block.initializeMemory(as: UInt8.self, repeating: UInt8(index + 1), count: size)
        }
        for (index, (block, size)) in zip(blocks, sizes).enumerated() {
            let bytes = UnsafeRawBufferPointer(start: block, count: size)
            #expect(bytes.allSatisfy { $0 == UInt8(index + 1) }, "block \(index) kept its bytes")
        }
        // Blocks larger than the 4 MB region get a region of their own; the others share.
        #expect(arena.regionCount >= 3)
        for (block, size) in zip(blocks, sizes) { arena.deallocate(block, byteCount: size) }
        #expect(arena.regionCount == 0)
    }

    /// A region stays while any of its blocks lives; a freed block's neighbours keep their contents.
    @Test func freeingSomeBlocksKeepsTheOthers() {
        let arena = PanelArena(regionSize: 2 << 20)
        let blocks = (0..<6).map { _ in arena.allocate(byteCount: 200_000) }
        for (index, block) in blocks.enumerated() {
            block.initializeMemory(as: UInt8.self, repeating: UInt8(index + 1), count: 200_000)
        }
        #expect(arena.regionCount == 1)
        for index in [0, 2, 4] { arena.deallocate(blocks[index], byteCount: 200_000) }
        #expect(arena.regionCount == 1)
        for index in [1, 3, 5] {
            let bytes = UnsafeRawBufferPointer(start: blocks[index], count: 200_000)
            #expect(bytes.allSatisfy { $0 == UInt8(index + 1) }, "block \(index) kept its bytes")
        }
        for index in [1, 3, 5] { arena.deallocate(blocks[index], byteCount: 200_000) }
        #expect(arena.regionCount == 0)
    }

    /// With the advice on, the region's mapping carries Linux's `hg` flag ("huge pages advised"); without, it
    /// does not. Checked where `/proc/self/smaps` lists mapping flags.
    @Test func hugePageAdviceReachesTheMapping() throws {
        for advised in [false, true] {
            let arena = PanelArena(regionSize: 2 << 20)
            arena.advisesHugePages = advised
            let block = arena.allocate(byteCount: 1 << 20)
            defer { arena.deallocate(block, byteCount: 1 << 20) }
            guard let flags = Self.mappingFlags(containing: block) else { return }
            #expect(flags.contains("hg") == advised, "advised \(advised): flags \(flags)")
        }
    }

    /// The `VmFlags` of the mapping holding `address` in `/proc/self/smaps`, or nil where that is not available.
    static func mappingFlags(containing address: UnsafeMutableRawPointer) -> [Substring]? {
        // Read to the end: procfs hands a large file out a page at a time, and a single read stops at the first.
        guard let data = try? FileHandle(forReadingAtPath: "/proc/self/smaps")?.readToEnd(),
            let smaps = String(data: data, encoding: .utf8)
        else { return nil }
        let target = UInt(bitPattern: Int(bitPattern: address))
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
                let start = UInt(line[..<dash], radix: 16),
                let end = UInt(line[line.index(after: dash)..<space], radix: 16)
            {
                inside = start <= target && target < end
            } else if inside, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ")
            }
        }
        return nil
    }
}
