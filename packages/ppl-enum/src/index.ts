/**
 * ppl-enum: exact enumeration of discrete latent variables. `enumerate` and
 * `configEnumerate` lay supports out on batch dims, `TraceEnumELBO` sums them
 * out exactly in the loss, and `inferDiscrete` decodes them (temperature 0 is
 * Viterbi on a chain; temperature 1 draws from the joint posterior);
 * `JitTraceEnumELBO` and `JitInferDiscrete` are the loss and the MAP decode
 * compiled once per argument signature (docs/compiled.md).
 */
export { enumerate, configEnumerate, type EnumerateOptions } from "./enum/enumerate.js";
export { TraceEnumELBO, type TraceEnumELBOOptions } from "./elbo/trace-enum-elbo.js";
export { JitTraceEnumELBO } from "./elbo/jit-trace-enum-elbo.js";
export type { MarginalDistribution } from "./elbo/marginals.js";
export { inferDiscrete, type InferDiscreteOptions } from "./discrete/infer-discrete.js";
export { JitInferDiscrete, type JitInferDiscreteOptions } from "./discrete/jit-infer-discrete.js";
