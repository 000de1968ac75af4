/**
 * ppl-core/internal: what the sibling packages (ppl-enum, ppl-autoguide) need
 * beyond the user API: fused ops, trace plumbing, option parsing and backend
 * limits. Not a stable interface; users import "ppl-core".
 */
export { MAX_SAFE_RANK } from "./backend.js";
export { formatShape } from "./errors.js";
export type { EnumSide, EnumVariable, MarkovTag } from "./runtime/messages.js";
export { checkTensorElements } from "./tensor-limit.js";
export { chainLogSumExp } from "./ops/chain-op.js";
export { chainForward, chainLayout, chainPosteriors, chainSample, chainViterbi } from "./ops/chain-kernel.js";
export type { ChainLayout, ChainSweep } from "./ops/chain-kernel.js";
export { factorialForward, factorialLayout, factorialSample, factorialViterbi } from "./ops/factorial-kernel.js";
export { factorialLogSumExp } from "./ops/factorial-op.js";
export { parseOptions } from "./options.js";
export { type RngState, restoreRngState, rngState } from "./rng.js";
export { applyDefault, runGenerator } from "./runtime/run.js";
export { scaleAndMask, logProbError, formatFrame } from "./runtime/trace-struct.js";
export { isVectorizedFrame } from "./handlers/plate.js";
export { withNamesChecked, type GivenNames, type SiteKind } from "./handlers/site-names.js";
export { tensorArg } from "./tensor-arg.js";
export { markArangeIndex } from "./ops/vindex.js";
export { stepCached, withStepCache, withStepCacheWhileRunning } from "./ops/step-cache.js";
export { ndtriNumber } from "./distributions/numerics/normal-quantile.js";
export { broadcastShapes, sumRightmost, toTensor } from "./ops/tensor.js";
export { checkModelGuideMatch, checkSiteShape, checkVectorizedMarkovSites } from "./infer/site-checks.js";
export { withScoreFunctionTerms } from "./infer/score-function.js";
export { guessMaxPlateNesting } from "./infer/max-plate-nesting.js";
export { ParticleELBO, particleOptions } from "./infer/particle-elbo.js";
export { weightedSum } from "./ops/weighted-sum.js";
export { splitRows } from "./ops/split-rows.js";
export { customGradient } from "./ops/custom-grad.js";
export { type KernelValues, readValues, writeTensor, writeTensors } from "./ops/kernel-io.js";
export { CompiledLoss } from "./jit/compiled-loss.js";
export { stopRecording } from "./jit/recorder.js";
export { compiledCall } from "./infer/jit-trace-elbo.js";
export { rsampleNormalFromNoise } from "./distributions/numerics/normal-sampler.js";
export { normalLogProbOfNoise } from "./ops/normal-logprob.js";
