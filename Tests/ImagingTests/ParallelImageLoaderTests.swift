import Foundation
import Imaging
import Numerics
import Testing

@Suite struct ParallelImageLoaderTests {
    @Test func loadsInOrderWithOneDecodePerImageAndReportsFailuresPerImage() throws {
        let pre = try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]))
        let landscape = FixtureManifest.url("images/landscape.jpg")
        let grey = FixtureManifest.url("images/grey.jpg")
        let box = PixelBox(x1: 10, y1: 10, x2: 100, y2: 90)
        let requests: [ParallelImageLoader.Request] = [
            .init(url: landscape, inputs: [.full, .object(box), .relation(subject: box, object: PixelBox(x1: 200, y1: 100, x2: 300, y2: 200))]),
            .init(url: FixtureManifest.url("bad/random.jpg")),
            .init(url: grey, inputs: [.full, .focusedRegion(landscape)]),
            .init(url: grey, inputs: [.object(PixelBox(x1: 500, y1: 500, x2: 600, y2: 600))]),
        ]
        let results = ParallelImageLoader(preprocessor: pre, workers: 2).load(requests)
        #expect(results.count == 4)

        let first = try results[0].get()
        let landscapeImage = try JPEG.decode(contentsOf: landscape)
        #expect(first.count == 3)
        #expect(first[0].scalars == (try pre.tensor(for: landscapeImage)).scalars)
        #expect(first[1].scalars == (try pre.objectTensor(for: landscapeImage, box: box)).scalars)

        #expect(throws: ImagingError.self) { try results[1].get() }
        let third = try results[2].get()
        #expect(third[1].scalars == first[0].scalars)  // the focused-region file is the landscape image
        #expect(throws: ImagingError.self) { try results[3].get() }
    }

    @Test func batchStacksWholeImages() throws {
        let pre = try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 16, mean: [0, 0, 0], std: [1, 1, 1]))
        let urls = ["tiny", "grey", "cmyk", "portrait", "exif"].map { FixtureManifest.url("images/\($0).jpg") }
        let batch = try ParallelImageLoader(preprocessor: pre, workers: 3).batch(urls)
        #expect(batch.shape == [5, 3, 16, 16])
        let single = try pre.tensor(for: JPEG.decode(contentsOf: urls[3]))
        #expect(Array(batch.scalars[(3 * 768)..<(4 * 768)]) == single.scalars)
        #expect(throws: ImagingError.self) {
            try ParallelImageLoader(preprocessor: pre).batch([urls[0], FixtureManifest.url("bad/empty.jpg")])
        }
    }

    @Test func mapKeepsOrderAcrossWorkers() {
        let results = ParallelImageLoader.map(count: 50, workers: 2) { $0 * $0 }
        #expect(results.map { try! $0.get() } == (0..<50).map { $0 * $0 })
    }
}
