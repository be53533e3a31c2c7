import Foundation
import Numerics

/// Decodes and preprocesses many images on a small, fixed number of threads (default 2), so image work
/// does not oversubscribe the cores that BLAS uses for the model. Each image is decoded once for all its inputs.
public struct ParallelImageLoader: Sendable {
    /// One image file and the inputs wanted from it.
    public struct Request: Sendable, Equatable {
        public var url: URL
        public var inputs: [ImageInput]

        public init(url: URL, inputs: [ImageInput] = [.full]) {
            self.url = url
            self.inputs = inputs
        }
    }

    /// Threads used (at least 1).
    public let workers: Int
    public let preprocessor: CLIPPreprocessor
    public let options: PictureDecodeOptions

    public init(preprocessor: CLIPPreprocessor, workers: Int = 2, options: PictureDecodeOptions = .init()) {
        self.preprocessor = preprocessor
        self.workers = max(1, workers)
        self.options = options
    }

    /// For each request (in order): its inputs' tensors, each `[3, S, S]`, or the first error met.
    public func load(_ requests: [Request]) -> [Result<[Tensor], Error>] {
        let preprocessor = preprocessor, options = options
        return Self.map(count: requests.count, workers: workers) { i in
            let request = requests[i]
            if request.inputs == [.full] {
                // Only the whole image: decode just the pixels its resize reads.
                return [try preprocessor.tensor(contentsOf: request.url, options: options)]
            }
            let image = try Picture.decode(contentsOf: request.url, options: options)
            return try request.inputs.map { try preprocessor.tensor(for: $0, of: image, options: options) }
        }
    }

    /// Whole-image tensors stacked as `[n, 3, S, S]`; throws the first failure (which names its file).
    public func batch(_ urls: [URL]) throws -> Tensor {
        let results = load(urls.map { Request(url: $0) })
        return preprocessor.batch(try results.map { try $0.get()[0] })
    }

    /// Runs `body(i)` for `i` in `0..<count` on up to `workers` threads; results in index order.
    public static func map<T: Sendable>(
        count: Int, workers: Int, _ body: @escaping @Sendable (Int) throws -> T
    ) -> [Result<T, Error>] {
        let box = ResultBox<T>(count: count)
        let threads = min(max(1, workers), max(1, count))
        if threads == 1 {
            for i in 0..<count { box.set(i, Result { try body(i) }) }
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while let i = box.next() { box.set(i, Result { try body(i) }) }
            }
        }
        return box.results.map { $0! }
    }
}

/// Work queue and result slots shared by the workers. Safe because every access holds `lock`.
private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private let count: Int
    private(set) var results: [Result<T, Error>?]

    init(count: Int) {
        self.count = count
        self.results = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard cursor < count else { return nil }
        cursor += 1
        return cursor - 1
    }

    func set(_ index: Int, _ result: Result<T, Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }
}
