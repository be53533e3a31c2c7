import Synchronization

/// A float32 `[rows, columns]` weight that becomes a ``PackedMatrix`` on its first kernel product instead of at
/// load: what ``Linear/packedOnFirstProduct()`` (and so ``Linear/preparedForProducts()``) stores. Building a model
/// then costs no copies, and a command that runs one tower of several packs only that tower's weights.
///
/// The first ``packed()`` packs holding a `Mutex` (callers arriving meanwhile wait and get the same matrix), then
/// drops its reference to the source and releases the source's borrowed pages
/// (``TensorStorage/releaseResidentPages()``), exactly as ``Linear/packed()`` does at once. The panels are never written after that, so readers need no lock.
final class PackedOnFirstUse: Sendable {
    /// Either the source, not packed yet, or the panels.
    enum State: Sendable {
        case unpacked(Tensor)
        case packed(PackedMatrix)
    }

    private struct Guarded {
        var state: State
        /// How many times the source was packed (0 or 1). For tests.
        var timesPacked = 0
    }

    private let guarded: Mutex<Guarded>

    /// `source` (`[rows, columns]`), kept as it is (no copy) until the first ``packed()``.
    init(_ source: Tensor) {
        precondition(source.rank == 2, "a packed matrix needs a [rows, columns] tensor, got \(source.shape)")
        guarded = Mutex(Guarded(state: .unpacked(source)))
    }

    /// The state now: the source while no product has packed it, afterwards the panels.
    var state: State { guarded.withLock { $0.state } }

    /// How many times the source has been packed so far (never more than once).
    var timesPacked: Int { guarded.withLock { $0.timesPacked } }

    /// The panels, packed now if no call has packed them yet (once, whichever threads call at the same time).
    func packed() -> PackedMatrix {
        guarded.withLock { guarded in
            switch guarded.state {
            case .packed(let matrix):
                return matrix
            case .unpacked(let source):
                let matrix = PackedMatrix(source)
                guarded.state = .packed(matrix)
                guarded.timesPacked += 1
                // A weight borrowed from a file mapping: its pages are not needed in memory any more.
                source.storage.releaseResidentPages()
                return matrix
            }
        }
    }
}
