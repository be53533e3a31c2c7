import Foundation
import ScenarioModel

/// Runs the reference's pretraining objective on a ``TrainableModel``: per-level contrastive losses,
/// (for `scenarioclip1`) distillation from an EMA teacher, AdamW with the warm-up + cosine schedule,
/// gradient clipping and the teacher update.
public final class ScenarioTrainer: @unchecked Sendable {
    public let options: TrainingOptions
    public let model: TrainableModel
    /// The EMA teacher (only for distillation).
    public let teacher: TrainableModel?
    /// `*_loss.logit_scale` per level (log of the contrastive scale, init `log(1/0.07)`).
    public let logitScales: [Level: Parameter]
    /// `student_teacher_loss_fn.distillation_loss_fn.logit_scale_s` (log of 1/T_s).
    public let studentLogScale: Parameter
    public let optimizer: AdamW
    public var schedule: LearningRateSchedule
    /// The levels a training step runs: ``TrainingOptions/trainedLevels``.
    public let trainedLevels: Set<Level>
    /// Optimiser steps taken.
    public var step: Int = 0

    /// A trainer for `model`; the teacher starts as a copy of the model.
    public init(model: TrainableModel, options: TrainingOptions, totalSteps: Int) {
        self.options = options
        self.model = model
        if options.architecture.distills {
            let t = TrainableModel(config: model.config, seed: 0)
            t.copyValues(from: model)
            teacher = t
        } else {
            teacher = nil
        }
        var scales: [Level: Parameter] = [:]
        for level in Level.allCases {
            scales[level] = Parameter(name: "\(level.rawValue)_loss.logit_scale", shape: [],
                                      value: [Float(Foundation.log(1 / 0.07))], decays: false)
        }
        studentLogScale = Parameter(name: "student_teacher_loss_fn.distillation_loss_fn.logit_scale_s", shape: [],
                                    value: [Float(Foundation.log(1 / 0.07))], decays: false,
                                    trainable: options.architecture.distills && options.learnStudentTemperature,
                                    learningRateScale: 0.1)
        let trained = Set(options.trainedLevels)
        trainedLevels = trained
        for level in Level.allCases where !trained.contains(level) { scales[level]!.trainable = false }
        model.freeze(levelsOtherThan: trained)
        logitScales = scales
        optimizer = AdamW(weightDecay: options.weightDecay)
        schedule = LearningRateSchedule(baseRate: options.learningRate, totalSteps: max(1, totalSteps),
                                        warmupRatio: options.warmupRatio)
    }

    /// Model parameters plus loss parameters (logit scales, student temperature).
    public var allParameters: [Parameter] {
        model.parameters + Level.allCases.map { logitScales[$0]! } + [studentLogScale]
    }

    /// The levels whose pictures a training step needs: the trained ones, plus the global pictures when the
    /// EMA teacher's global image is distilled into a trained object or relation level.
    public var pixelLevels: Set<Level> {
        var levels = trainedLevels
        if teacher != nil && DistillationTerms(levels: trainedLevels).visual { levels.insert(.global) }
        return levels
    }

    /// Forward pass, losses, and (when `backward`) gradients accumulated into zeroed parameter grads, for
    /// `levels` (default: the trained levels). Distillation keeps the terms whose student level is among
    /// them: teacher global image → object/relation images, teacher object/relation texts → global text.
    @discardableResult
    public func evaluate(_ batch: TrainingBatch, backward: Bool, levels requested: Set<Level>? = nil) -> StepLosses {
        if backward { allParameters.forEach { $0.zeroGrad() } }
        let levels = requested ?? trainedLevels
        let dim = model.config.embedDim
        let train = backward
        // Forward each distinct encoder once over the inputs of every level that uses it.
        var imageEmbeddings: [Level: [Float]] = [:]
        var textEmbeddings: [Level: [Float]] = [:]
        let groups = encoderGroups().map { $0.filter(levels.contains) }.filter { !$0.isEmpty }
        let parallel = options.parallelLevels
        let forward = ParallelSlots<([Float], [Float])>.run(groups.count, parallel: parallel) { g in
            let group = groups[g]
            var pixels: [Float] = [], ids: [Int32] = []
            var n = 0
            for level in group { pixels += batch.pixels[level]!; ids += batch.ids[level]!; n += batch.count(level) }
            let img = self.model.imageEncoders[group[0]]!.forward(pixels, count: n, train: train)
            let txt = self.model.textEncoders[group[0]]!.forward(ids, count: n, tokens: batch.tokens, train: train)
            return (img, txt)
        }
        for (g, group) in groups.enumerated() {
            let (img, txt) = forward[g]
            var offset = 0
            for level in group {
                let c = batch.count(level) * dim
                imageEmbeddings[level] = Array(img[offset..<offset + c])
                textEmbeddings[level] = Array(txt[offset..<offset + c])
                offset += c
            }
        }
        var losses = StepLosses()
        var dImage: [Level: [Float]] = [:]
        var dText: [Level: [Float]] = [:]
        for level in Level.allCases where levels.contains(level) {
            let n = batch.count(level)
            let scale = logitScales[level]!
            let r = ContrastiveLoss.evaluate(image: imageEmbeddings[level]!, text: textEmbeddings[level]!, count: n,
                                             dim: dim, logitScale: scale.value[0])
            losses.contrastive[level] = r.loss
            dImage[level] = r.dImage
            dText[level] = r.dText
            if backward && scale.trainable { scale.grad[0] += r.dLogitScale }
        }
        if let teacher {
            let terms = DistillationTerms(levels: levels)
            let teacherOut = ParallelSlots<[Float]>.run(3, parallel: parallel) { k in
                switch k {
                case 0 where terms.visual:
                    teacher.imageEncoders[.global]!.forward(batch.pixels[.global]!, count: batch.count(.global), train: false)
                case 1 where terms.text:
                    teacher.textEncoders[.object]!.forward(batch.ids[.object]!, count: batch.count(.object),
                                                          tokens: batch.tokens, train: false)
                case 2 where terms.text:
                    teacher.textEncoders[.relation]!.forward(batch.ids[.relation]!, count: batch.count(.relation),
                                                            tokens: batch.tokens, train: false)
                default: []
                }
            }
            let teacherGlobalImage = teacherOut[0], teacherObjectText = teacherOut[1], teacherRelationText = teacherOut[2]
            var dObjectImage = dImage[.object] ?? [], dRelationImage = dImage[.relation] ?? []
            var dGlobalText = dText[.global] ?? []
            let d = distill(batch: batch, terms: terms, teacherGlobalImage: teacherGlobalImage,
                            teacherObjectText: teacherObjectText, teacherRelationText: teacherRelationText,
                            studentObjectImage: imageEmbeddings[.object] ?? [],
                            studentRelationImage: imageEmbeddings[.relation] ?? [],
                            studentGlobalText: textEmbeddings[.global] ?? [],
                            dObjectImage: &dObjectImage, dRelationImage: &dRelationImage, dGlobalText: &dGlobalText)
            if levels.contains(.object) { dImage[.object] = dObjectImage }
            if levels.contains(.relation) { dImage[.relation] = dRelationImage }
            if levels.contains(.global) { dText[.global] = dGlobalText }
            losses.distillation = d.value
            if backward && studentLogScale.trainable { studentLogScale.grad[0] += d.dLogScale }
        }
        guard backward else { return losses }
        let dImageFinal = dImage, dTextFinal = dText
        _ = ParallelSlots<Bool>.run(groups.count, parallel: parallel) { g in
            let group = groups[g]
            var di: [Float] = [], dt: [Float] = []
            for level in group { di += dImageFinal[level]!; dt += dTextFinal[level]! }
            self.model.imageEncoders[group[0]]!.backward(di)
            self.model.textEncoders[group[0]]!.backward(dt)
            return true
        }
        return losses
    }

    /// Which distillation terms a set of levels keeps.
    struct DistillationTerms {
        /// Teacher global image → student object images.
        var objectVisual: Bool
        /// Teacher global image → student relation images.
        var relationVisual: Bool
        /// Teacher object and relation texts → student global text.
        var text: Bool

        init(levels: Set<Level>) {
            objectVisual = levels.contains(.object)
            relationVisual = levels.contains(.relation)
            text = levels.contains(.global)
        }

        /// Whether the teacher's global image is needed.
        var visual: Bool { objectVisual || relationVisual }
    }

    /// Levels grouped by shared encoders (three groups of one for three-level models, one group of three otherwise).
    private func encoderGroups() -> [[Level]] {
        model.config.threeLevel ? Level.allCases.map { [$0] } : [Level.allCases]
    }

    /// The four distillation means of the reference's `StudentTeacherLoss`; adds gradients into the `d…` arrays.
    private func distill(batch: TrainingBatch, terms: DistillationTerms, teacherGlobalImage: [Float], teacherObjectText: [Float],
                         teacherRelationText: [Float], studentObjectImage: [Float], studentRelationImage: [Float],
                         studentGlobalText: [Float], dObjectImage: inout [Float], dRelationImage: inout [Float],
                         dGlobalText: inout [Float]) -> (value: Float, dLogScale: Float) {
        let dim = model.config.embedDim
        let (ts, dTdLog) = DistillationLoss.studentTemperature(logScale: studentLogScale.value[0])
        let scenes = batch.sceneCount
        // Each of the four terms is a mean over scenes of a mean over that scene's objects/relations.
        var total: Double = 0
        var dT: Double = 0
        var objectOffset = 0, relationOffset = 0
        let scenesWithObjects = batch.objectsPerScene.filter { $0 > 0 }.count
        let scenesWithRelations = batch.relationsPerScene.filter { $0 > 0 }.count
        teacherGlobalImage.withUnsafeBufferPointer { tg in
            teacherObjectText.withUnsafeBufferPointer { to in
                teacherRelationText.withUnsafeBufferPointer { tr in
                    studentObjectImage.withUnsafeBufferPointer { so in
                        studentRelationImage.withUnsafeBufferPointer { sr in
                            studentGlobalText.withUnsafeBufferPointer { sg in
                                dObjectImage.withUnsafeMutableBufferPointer { dso in
                                    dRelationImage.withUnsafeMutableBufferPointer { dsr in
                                        dGlobalText.withUnsafeMutableBufferPointer { dsg in
                                            for i in 0..<scenes {
                                                let pGlobal = terms.visual
                                                    ? DistillationLoss.teacherProbabilities(tg.baseAddress! + i * dim, dim: dim)
                                                    : []
                                                for (count, offset, students, dStudents, teachers, denominator, visual) in [
                                                    (batch.objectsPerScene[i], objectOffset, so, dso, to, scenesWithObjects,
                                                     terms.objectVisual),
                                                    (batch.relationsPerScene[i], relationOffset, sr, dsr, tr,
                                                     scenesWithRelations, terms.relationVisual),
                                                ] where count > 0 {
                                                    let w = 1 / Float(count * denominator)
                                                    // visual: teacher global → each student crop
                                                    for j in 0..<count where visual {
                                                        let r = DistillationLoss.term(
                                                            student: students.baseAddress! + (offset + j) * dim,
                                                            teacher: pGlobal, dim: dim, temperature: ts, weight: w,
                                                            dz: dStudents.baseAddress! + (offset + j) * dim)
                                                        total += r.value * Double(w)
                                                        dT += r.dT * Double(w)
                                                    }
                                                    // text: each teacher object/relation text → student global text
                                                    for j in 0..<count where terms.text {
                                                        let p = DistillationLoss.teacherProbabilities(
                                                            teachers.baseAddress! + (offset + j) * dim, dim: dim)
                                                        let r = DistillationLoss.term(
                                                            student: sg.baseAddress! + i * dim, teacher: p, dim: dim,
                                                            temperature: ts, weight: w,
                                                            dz: dsg.baseAddress! + i * dim)
                                                        total += r.value * Double(w)
                                                        dT += r.dT * Double(w)
                                                    }
                                                }
                                                objectOffset += batch.objectsPerScene[i]
                                                relationOffset += batch.relationsPerScene[i]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Float(total), Float(dT) * dTdLog)
    }

    /// Global L2 norm of every trainable gradient.
    public func gradientNorm() -> Float {
        var s: Double = 0
        for p in allParameters where p.trainable {
            for g in p.grad { s += Double(g) * Double(g) }
        }
        return Float(s.squareRoot())
    }

    /// One optimisation step: gradients, clipping, AdamW at the scheduled rate, EMA teacher update.
    @discardableResult
    public func trainStep(_ batch: TrainingBatch) -> StepLosses {
        let losses = evaluate(batch, backward: true)
        if options.gradientClip > 0 {
            let norm = gradientNorm()
            let coef = options.gradientClip / (norm + 1e-6)
            if coef < 1 {
                for p in allParameters where p.trainable {
                    p.grad.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= coef } }
                }
            }
        }
        optimizer.update(allParameters, learningRate: schedule.rate(at: step))
        step += 1
        updateTeacher()
        return losses
    }

    /// The EMA decay used after `step` updates: the target decay ramped linearly over the warm-up steps.
    public func teacherDecay(afterSteps step: Int) -> Float {
        guard options.emaWarmupSteps > 0 else { return options.emaDecay }
        return options.emaDecay * min(1, Float(step) / Float(options.emaWarmupSteps))
    }

    /// `teacher ← d·teacher + (1 − d)·student`.
    func updateTeacher() {
        guard let teacher else { return }
        let d = teacherDecay(afterSteps: step)
        for (t, s) in zip(teacher.parameters, model.parameters) {
            t.value.withUnsafeMutableBufferPointer { tv in
                s.value.withUnsafeBufferPointer { sv in
                    for i in 0..<tv.count { tv[i] = d * tv[i] + (1 - d) * sv[i] }
                }
            }
        }
    }
}
