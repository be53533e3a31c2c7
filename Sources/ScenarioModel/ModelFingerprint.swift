import Crypto
import Foundation
import Numerics
import Weights

/// The identity of a model's computation: weights, tower settings and preprocessing.
///
/// Definition (version 1): SHA-256, hex, over
/// ```
/// "scenarioclip-fingerprint/1\n" "architecture=<three_level|one_level|hf_clip>\n"
/// "vision=<canonical tower config>\n" "text=<canonical tower config>\n"
/// for each model tensor, sorted by canonical name (reference layout, no `model.` prefix; loss and
/// optimizer entries excluded): "<name>\n<d0,d1,…>\n" + its values as little-endian Float32
/// "preprocess=<size>;<mean…>;<std…>\n"
/// ```
/// Values are hashed as the Float32 the model computes with, so the fingerprint is stable across conversions
/// that keep values (`.ckpt` → f32 safetensors → f32 state dict, any container, any key order) and changes
/// when values change (f16 export rounds them; an EMA teacher is a different model).
public enum ModelFingerprint {
    /// Hashes `names` (canonical) from `archive` plus the descriptive lines.
    /// Complexity: reads every tensor once (about 1 GB/s).
    public static func compute(
        architecture: ScenarioArchitecture, visionDescription: String, textDescription: String,
        archive: any TensorArchive, names: [String], preprocess: PreprocessConfig
    ) throws -> String {
        var hasher = SHA256()
        func line(_ s: String) { hasher.update(data: Data((s + "\n").utf8)) }
        line("scenarioclip-fingerprint/1")
        line("architecture=\(architecture.rawValue)")
        line("vision=\(visionDescription)")
        line("text=\(textDescription)")
        for name in names.sorted() {
            let tensor = try archive.tensor(name)
            line(name)
            line(tensor.shape.map(String.init).joined(separator: ","))
            tensor.withUnsafeBufferPointer { values in
                #if _endian(little)
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(values))
                #else
                    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) } }
                #endif
            }
            // Hashed once: a memory-mapped tensor's pages need not stay resident (the model packs its large weights
            // into copies on their first product; whatever it reads comes back from the file on demand).
            tensor.storage.releaseResidentPages()
        }
        line("preprocess=\(describe(preprocess))")
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The fingerprint of the model `base` fingerprints with its linear weights stored in `precision`: `base`
    /// itself for float32, otherwise SHA-256 (hex) of `"scenarioclip-fingerprint/1\nbase=<base>\nprecision=<raw
    /// value>\n"`. A half-precision or bfloat16 model computes other vectors (within cosine 0.9999 of float32's,
    /// not equal), so an embedding cache keeps them apart from the float32 model's, as a different model.
    public static func withPrecision(_ base: String, _ precision: Linear.Precision) -> String {
        guard precision != .float32 else { return base }
        var hasher = SHA256()
        hasher.update(data: Data("scenarioclip-fingerprint/1\nbase=\(base)\nprecision=\(precision.rawValue)\n".utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// `224;0.48145466,0.4578275,0.40821073;0.26862954,0.26130258,0.27577711`, with `;stretch` appended for
    /// that fit (nothing for CLIP's centre crop, so centre-crop fingerprints are unchanged).
    static func describe(_ p: PreprocessConfig) -> String {
        "\(p.imageSize);" + p.mean.map { "\($0)" }.joined(separator: ",") + ";" + p.std.map { "\($0)" }.joined(separator: ",")
            + (p.fit == .centerCrop ? "" : ";\(p.fit.rawValue)")
    }
}
