import Foundation
import Imaging

/// The manifest written by tools/make_image_fixtures.py, and helpers to read its files.
struct FixtureManifest: Decodable {
    struct Image: Decodable {
        let file: String
        let width: Int
        let height: Int
        let mode: String
        let rgbFNV1a64: String
        let uprightWidth: Int
        let uprightHeight: Int
        let uprightRGBFNV1a64: String
        let rgbRaw: String?

        enum CodingKeys: String, CodingKey {
            case file, width, height, mode
            case rgbFNV1a64 = "rgb_fnv1a64"
            case uprightWidth = "upright_width"
            case uprightHeight = "upright_height"
            case uprightRGBFNV1a64 = "upright_rgb_fnv1a64"
            case rgbRaw = "rgb_raw"
        }
    }

    struct Preprocess: Decodable {
        let image: String
        let size: Int
        let expected: String
    }

    struct Crop: Decodable {
        let image: String
        let kind: String
        let boxes: [[Double]]
        let size: Int
        let expected: String
    }

    struct Resize: Decodable {
        let image: String
        let width: Int
        let height: Int
        let expected: String
    }

    /// The stretch fit: the whole picture, or the black canvas keeping only `box`, resized to `size × size`.
    struct Stretch: Decodable {
        let image: String
        let box: [Double]?
        let size: Int
        let expected: String
    }

    let images: [Image]
    let stretch: [Stretch]
    let resizes: [Resize]
    let preprocess: [Preprocess]
    let crops: [Crop]
    let mean: [Float]
    let std: [Float]

    static let root: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static let shared: FixtureManifest = {
        let data = try! Data(contentsOf: root.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(FixtureManifest.self, from: data)
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func bytes(_ relative: String) -> [UInt8] { [UInt8](try! Data(contentsOf: url(relative))) }

    /// Bytes of an `S × S` HWC window that differ from the reference's planar `[3, S, S]` bytes in `expectedFile`
    /// (-1 when the sizes differ).
    static func mismatches(_ window: RGBImage, _ expectedFile: String) -> Int {
        let expected = bytes(expectedFile)
        let plane = window.width * window.height
        guard expected.count == 3 * plane else { return -1 }
        var count = 0
        for i in 0..<plane {
            for c in 0..<3 where window.pixels[i * 3 + c] != expected[c * plane + i] { count += 1 }
        }
        return count
    }
}

/// FNV-1a 64-bit hash, as the fixture script computes it.
func fnv1a64(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01B3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
