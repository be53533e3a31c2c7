/// How ``EmbeddingCache/open(at:options:)`` opens a cache.
public struct CacheOptions: Sendable, Hashable {
    /// Encoding for a new database (an existing database keeps the encoding it was created with).
    public var encoding: VectorEncoding
    /// Seconds to wait for another process's lock before failing with ``EmbeddingCacheError/locked(path:waited:during:)``.
    public var busyTimeout: Double
    /// Open without writing (queries only); the schema must already be current.
    public var readOnly: Bool

    public init(encoding: VectorEncoding = .f16, busyTimeout: Double = 5, readOnly: Bool = false) {
        self.encoding = encoding
        self.busyTimeout = busyTimeout
        self.readOnly = readOnly
    }
}
