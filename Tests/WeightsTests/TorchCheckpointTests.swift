import Foundation
import Numerics
import Testing

@testable import Weights

/// Reading files written by PyTorch's own `torch.save` (see tools/make_scenario_fixtures.py weights).
@Suite struct TorchCheckpointTests {
    @Test func plainStateDictMatchesPyTorchValues() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_plain.pt"))
        let expected = try TorchFixtures.expected().plain
        #expect(checkpoint.stateDictPath == [])
        #expect(checkpoint.tensorNames == expected.keys.sorted())
        for (name, reference) in expected {
            TorchFixtures.expectEqual(try checkpoint.tensor(name), reference, name)
        }
    }

    @Test func dtypesAndLayoutsAreReported() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_plain.pt"))
        #expect(checkpoint.info("half")?.dtype == .float16)
        #expect(checkpoint.info("bf16")?.dtype == .bfloat16)
        #expect(checkpoint.info("double")?.dtype == .float64)
        #expect(checkpoint.info("long")?.dtype == .int64)
        #expect(checkpoint.info("transposed")?.shape == [6, 4])
        #expect(checkpoint.reference("transposed")?.strides == [1, 6])
        #expect(checkpoint.reference("slice")?.storageOffset == 3)
        #expect(checkpoint.info("scalar")?.shape == [])
        #expect(checkpoint.info("missing") == nil)
    }

    @Test func alignedFloat32IsMappedWithoutCopy() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_plain.pt"))
        #expect(try checkpoint.tensor("layer.weight").storage.isBorrowed)
        #expect(try checkpoint.tensor("slice").storage.isBorrowed)
        // Converted and strided tensors get their own storage.
        #expect(try !checkpoint.tensor("half").storage.isBorrowed)
        #expect(try !checkpoint.tensor("transposed").storage.isBorrowed)
    }

    @Test func anyTopFolderNameAndUnalignedEntries() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_renamed_top.pt"))
        #expect(checkpoint.archiveName == "my_model")
        let expected = try TorchFixtures.expected().plain
        for (name, reference) in expected {
            TorchFixtures.expectEqual(try checkpoint.tensor(name), reference, name)
        }
    }

    @Test func lightningCheckpointExposesStateDictAndMetadata() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_lightning.ckpt"))
        let expected = try TorchFixtures.expected().lightning
        #expect(checkpoint.stateDictPath == ["state_dict"])
        #expect(checkpoint.tensorNames == expected.state_dict.keys.sorted())
        for (name, reference) in expected.state_dict {
            TorchFixtures.expectEqual(try checkpoint.tensor(name), reference, name)
        }
        guard case .int(let epoch)? = checkpoint.root.value(at: ["epoch"]),
            case .int(let step)? = checkpoint.root.value(at: ["global_step"])
        else {
            Issue.record("epoch/global_step missing")
            return
        }
        #expect(epoch == expected.epoch)
        #expect(step == expected.global_step)
        // argparse.Namespace in hyper-parameters is allow-listed and kept as opaque data.
        guard case .object(let cls, _, let state)? = checkpoint.root.value(at: ["hyper_parameters", "args"]) else {
            Issue.record("hyper_parameters.args is not an opaque object")
            return
        }
        #expect(cls == "argparse.Namespace")
        guard case .int(128)? = state?.value(at: ["batch_size"]) else {
            Issue.record("Namespace state lost batch_size")
            return
        }
        if case .float(let lr)? = checkpoint.root.value(at: ["hyper_parameters", "lr"]) {
            #expect(lr == 2e-5)
        } else {
            Issue.record("hyper_parameters.lr missing")
        }
    }

    @Test func selectingTheEMATeacher() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_lightning.ckpt"))
        let ema = try checkpoint.selecting(["ema", "teacher_state"])
        let expected = try TorchFixtures.expected().lightning.ema
        #expect(ema.tensorNames == expected.keys.sorted())
        for (name, reference) in expected {
            TorchFixtures.expectEqual(try ema.tensor(name), reference, name)
        }
        #expect(throws: WeightsError.self) { try checkpoint.selecting(["nothing", "here"]) }
    }

    @Test func missingTensorNamesTheTensorAndFile() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_plain.pt"))
        do {
            _ = try checkpoint.tensor("no.such.weight")
            Issue.record("expected an error")
        } catch let error as WeightsError {
            #expect(error.description.contains("no.such.weight"))
            #expect(error.description.contains("torch_plain.pt"))
        }
    }
}
