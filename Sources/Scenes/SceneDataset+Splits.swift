extension SceneDataset {
    /// The split in use: the reference's seeded shuffle and cut over all records (``SplitPartition/reference(count:seed:)``,
    /// records in load order: sorted metadata files, then file order), after which records that declare `split`
    /// are moved to the split they declare.
    ///
    /// When no record declares a split this is exactly the reference's split. When some do, every undeclared
    /// record stays in the split the reference gives it (the reference ignores `split` fields), so declaring a few
    /// records never reshuffles the rest; the proportions among the undeclared ones then drift from 70/10/20 by
    /// the declared records taken out.
    public func splitPartition(seed: UInt64 = SceneDataset.defaultSplitSeed) -> SplitPartition {
        SplitPartition.reference(count: records.count, seed: seed).overriding(with: records.map(\.declaredSplit))
    }

    /// The split of every record, parallel to ``records`` (see ``splitPartition(seed:)``; with fewer than five
    /// records, where the reference's "test" is every record, a record in train is labelled train).
    public func splits(seed: UInt64 = SceneDataset.defaultSplitSeed) -> [SceneSplit] {
        splitPartition(seed: seed).labels(count: records.count)
    }
}
