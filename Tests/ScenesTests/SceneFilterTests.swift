import Foundation
import Testing

@testable import Scenes

/// The scene filter language (the explorer's `f` line and `dataset export --filter`): parsing, matching, the
/// unknown-class check, and the summaries it runs over.
@Suite struct SceneFilterTests {
    let dog = SceneSummary(id: "000012", action: "dog chasing a ball", objects: ["dog", "ball"],
                           relations: ["dog chasing ball"], tags: ["train"])
    let cat = SceneSummary(id: "000013", action: "cat sleeping on a chair", objects: ["cat", "chair"],
                           relations: ["cat on chair"], tags: ["test", "unseen"])

    @Test func parsesFieldsBareWordsAndQuotes() {
        let filter = SceneFilter(#"object:Dog relation:"dog chasing ball" nofield:x  tag:train ball"#)
        #expect(filter.terms.map(\.field) == [.object, .relation, .any, .tag, .any])
        #expect(filter.terms.map(\.value) == ["dog", "dog chasing ball", "nofield:x", "train", "ball"])
        #expect(SceneFilter("  ").isEmpty)
        #expect(SceneFilter("object:").isEmpty)
    }

    @Test func everyTermMustMatchAsASubstring() {
        #expect(SceneFilter("object:do").matches(dog))
        #expect(!SceneFilter("object:do").matches(cat))
        #expect(SceneFilter("tag:unseen action:sleep").matches(cat))
        #expect(!SceneFilter("tag:unseen object:dog").matches(cat))
        #expect(SceneFilter("id:0013").matches(cat) && !SceneFilter("id:0013").matches(dog))
        #expect(SceneFilter("chair").matches(cat) && !SceneFilter("chair").matches(dog))
        #expect(SceneFilter().matches(dog))
    }

    @Test func namesTermsNoClassContains() {
        let classes = SceneClasses(actions: ["dog chasing a ball"], objects: ["dog", "Ball"], relations: ["dog chasing ball"])
        #expect(SceneFilter("object:ball object:do action:chasing relation:chasing").unknownClasses(in: classes).isEmpty)
        let unknown = SceneFilter("object:dgo action:sleeping relation:dog tag:whatever id:zzz bare").unknownClasses(in: classes)
        #expect(unknown.map(\.field) == [.object, .action])
        #expect(unknown.map(\.value) == ["dgo", "sleeping"])
    }

    @Test func datasetSummariesCarryLabelsSplitAndUnseen() throws {
        let dataset = try TestDataset()
        defer { dataset.remove() }
        try dataset.writeRecords([
            kitchenRecord(id: "\"k1\"", extra: #", "split": "val""#),
            kitchenRecord(id: "\"k2\"", extra: #", "split": "test", "unseen": true"#),
        ])
        let loaded = try SceneDataset.load(from: dataset.root)
        let summaries = loaded.summaries()
        #expect(summaries.map(\.id) == ["k1", "k2"])
        #expect(summaries.map(\.tags) == [["val"], ["test", "unseen"]])
        #expect(summaries[0].objects == ["person", "cup"])
        #expect(summaries[0].relations == ["person holding cup"])
        #expect(SceneFilter("tag:unseen").matches(summaries[1]) && !SceneFilter("tag:unseen").matches(summaries[0]))
    }
}
