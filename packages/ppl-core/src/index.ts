/**
 * ppl-core: effects, handlers, traces, distributions, constraints, params,
 * SVI with Trace_ELBO, optimisers and the backend choice: what a user calls.
 * What the sibling packages need beyond it is in "ppl-core/internal".
 */
export { ready, backendInfo, describeBackend, isReady, type BackendInfo, type BackendName, type ReadyOptions } from "./backend.js";
export type { WasmPaths } from "./wasm-files.js";
export { serveWorker, type ServeOptions, type TaskFunction, type WorkerContext, type WorkerTask } from "./worker/serve.js";
export type { WorkerProgress } from "./worker/protocol.js";
export {
  PPLError, PPLShapeError, PPLSupportError, PPLModelError, PPLConfigError, PPLNumericalError, PPLResourceError,
  type PPLErrorFields,
} from "./errors.js";
export { setRngSeed, hashSeed, nextSeed, makeRng, noise, normalNoise, uniformNoise } from "./rng.js";
export { setValidation, isValidationEnabled } from "./validation.js";
export { setMaxTensorElements, maxTensorElements } from "./tensor-limit.js";

export type {
  Msg, SampleMsg, ParamMsg, PlateMsg, PlateFrame, SequentialFrame, CondIndepFrame, InferConfig, Model, ModelGenerator, SampleRole,
} from "./runtime/messages.js";
export { Effect } from "./runtime/effect.js";
export { sample, param, factor, deterministic, type SampleOptions, type ParamOptions } from "./runtime/primitives.js";
export { run } from "./runtime/run.js";
export { handle, withHandler, type Handler } from "./runtime/handler.js";
export { Trace, type Site, type SampleSite, type ParamSite } from "./runtime/trace-struct.js";

export { trace, type TracedModel } from "./handlers/trace.js";
export { replay } from "./handlers/replay.js";
export { condition } from "./handlers/condition.js";
export { substitute } from "./handlers/substitute.js";
export { block, type BlockOptions, type BlockSiteMsg } from "./handlers/block.js";
export { seed } from "./handlers/seed.js";
export { scale, type ScaleFactor } from "./handlers/scale.js";
export { mask, type MaskValue } from "./handlers/mask.js";
export {
  plate, type PlateOptions, type PlateBody, type SequentialPlateOptions, type SequentialPlateBody,
} from "./handlers/plate.js";
export { markov, range, type MarkovOptions } from "./handlers/markov.js";
export {
  vectorizedMarkov, TimeSlice, type VectorizedMarkovOptions, type VectorizedMarkovBody,
} from "./handlers/vectorized-markov.js";

export { vindex, type VindexArg } from "./ops/vindex.js";
export { lgamma, digamma, logBeta, xlogy, xlog1py } from "./ops/special.js";
export { broadcastTo, logSumExp, type TensorLike } from "./ops/tensor.js";

export * as constraints from "./constraints/index.js";
export { Constraint } from "./constraints/constraint.js";
export { bijectTo, transformTo } from "./constraints/biject.js";
export * as transforms from "./constraints/transforms.js";
export { Transform } from "./constraints/transforms.js";

export { dist } from "./distributions/index.js";
export { Distribution, Independent, Expanded, Masked } from "./distributions/base/distribution.js";
export {
  Parameterized, ParameterizedDistribution, arg, type ArgConstraints, type ArgSpec, type ArgTensors, type ArgValues, type ParameterizedClass,
} from "./distributions/base/parameterized.js";
export {
  Cauchy, Chi2, Gumbel, HalfCauchy, InverseGamma, Logistic, TruncatedNormal, VonMises, Weibull,
} from "./distributions/index.js";
export {
  Normal, LogNormal, HalfNormal, Uniform, Beta, Gamma, Exponential, Dirichlet, Categorical, Bernoulli, Poisson, Binomial,
  Delta, MultivariateNormal, StudentT, Laplace, TransformedDistribution,
  type ProbsOrLogits, type MultivariateNormalParams, type TransformedDistributionOptions,
} from "./distributions/index.js";
export {
  GammaPoisson, Geometric, LKJCholesky, LowRankMultivariateNormal, MixtureSameFamily, Multinomial, NegativeBinomial,
  OneHotCategorical, ZeroInflatedPoisson, type ZeroInflatedGate,
} from "./distributions/index.js";
export { CorrCholeskyTransform, corrCholesky } from "./constraints/corr-cholesky.js";
export { checkParam, paramBatchShape } from "./distributions/base/validate.js";

export {
  ParamStore, getParamStore, clearParamStore, type ParamStoreJSON, type ParamMapping, type ParamCreateOptions, type ParamOwner,
} from "./params/param-store.js";

export type { ELBO } from "./infer/elbo.js";
export { TraceELBO, type TraceELBOOptions } from "./infer/trace-elbo.js";
export { JitTraceELBO } from "./infer/jit-trace-elbo.js";
export type { CompiledLossStats } from "./jit/compiled-loss.js";
export { TraceGraphELBO, type TraceGraphELBOOptions } from "./infer/trace-graph-elbo.js";
export { TraceMeanFieldELBO, type TraceMeanFieldELBOOptions } from "./infer/trace-mean-field-elbo.js";
export { type KLFormula, klDivergence, registerKL } from "./infer/kl.js";
export type { ParticleOptions } from "./infer/particle-elbo.js";
export { Predictive, type PredictiveOptions, type PredictiveSamples } from "./infer/predictive.js";
export { SVI } from "./infer/svi.js";
export type { SVIRunOptions, SVIRunResult } from "./infer/svi-run.js";
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from "./infer/progress.js";
export { Adam, AdamW, ClippedAdam, type AdamOptions, type AdamWOptions, type ClippedAdamOptions } from "./optim/adam.js";
export { Adagrad, type AdagradOptions } from "./optim/adagrad.js";
export {
  CosineAnnealingLR, ExponentialLR, LRScheduler, ReduceLROnPlateau, StepLR,
  type CosineAnnealingLROptions, type ExponentialLROptions, type ReduceLROnPlateauOptions, type StepLROptions,
} from "./optim/lr-schedulers.js";
export type { LearningRateOptimizer, Optimizer, UpdateCheck } from "./optim/optimizer.js";
export { RMSprop, type RMSpropOptions } from "./optim/rmsprop.js";
export { SGD, type SGDOptions } from "./optim/sgd.js";
export { DiscreteHMM, type DiscreteHMMOptions, type DiscreteHMMPath } from "./distributions/discrete-hmm.js";
export { hmmViterbi } from "./ops/hmm-forward.js";
export { type HmmArrays, type HmmPath, type HmmPosterior, hmmForwardBackward, hmmLogLikelihood64, hmmMostLikelyPath } from "./ops/hmm-arrays.js";
export { type FactorialHmmArrays, type FactorialHmmMarginals, type FactorialHmmPath, factorialHmmMarginals, factorialHmmMostLikelyPath } from "./ops/factorial-arrays.js";
