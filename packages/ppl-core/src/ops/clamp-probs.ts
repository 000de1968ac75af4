/**
 * torch's `clamp_probs` (torch/distributions/utils.py), which Pyro's families
 * inherit: before a probability reaches a logarithm it is clamped to
 * [eps, 1 − eps], eps the float32 machine epsilon. log p stays finite at
 * p = 0 or 1 (log eps ≈ −15.94), and the clamp's gradient is 0 outside the
 * interval, so an enumerated value that makes p exactly 0 or 1 (`Bernoulli(rho * z)`
 * at z = 0) gives a finite log-prob whose gradient is 0, not 0 · ∞ = NaN.
 */
import * as tf from "@tensorflow/tfjs-core";

/** torch.finfo(torch.float32).eps = 2^-23: the probabilities ppl computes are float32. */
export const PROBS_EPS = 2 ** -23;

/** p clamped to [PROBS_EPS, 1 − PROBS_EPS]; the gradient passes inside the interval and is 0 outside it. */
export function clampProbs(p: tf.Tensor): tf.Tensor {
  return tf.clipByValue(p, PROBS_EPS, 1 - PROBS_EPS);
}

/**
 * One probability clamped as {@link clampProbs} does, for kernels that work in float64 JS (NaN stays NaN).
 * Math.min and Math.max, not a conditional: a conditional that gives either the module's constant or `p`
 * made V8 box `p` as a heap number on every call inlined in a kernel's loop (Bernoulli's tables: a megabyte
 * of garbage a compiled hmm.py step).
 */
export function clampProbNumber(p: number): number {
  return Math.min(Math.max(p, PROBS_EPS), 1 - PROBS_EPS);
}
