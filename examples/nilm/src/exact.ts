/**
 * Exact MAP disaggregation: inferDiscrete at temperature 0 on the factorial
 * model with its globals pinned. Enumeration keeps, at minute t, the M states
 * of t-1 and of t in scope (2M enumeration dims; a single mains series needs
 * no plate), and the contraction eliminates one chain's variable at a time,
 * so the cost is T·M·K^(M+1), never the product state's T·K^(2M). wasm
 * computes elementwise ops wrongly above rank 6 (ppl-core's MAX_SAFE_RANK):
 * M ≤ 3 appliances fit, more are refused here with a pointer to the
 * approximate method.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLConfigError, condition, trace } from "ppl-core";
import { MAX_SAFE_RANK } from "ppl-core/internal";
import { inferDiscrete } from "ppl-enum";
import { type FactorialPrior, type Globals, factorialModel, globalValues, stateSite } from "./model.js";

/** The largest household exact enumeration handles on this backend: 2M dims ≤ MAX_SAFE_RANK. */
export const MAX_EXACT_APPLIANCES = Math.floor(MAX_SAFE_RANK / 2);

function* pinned(mains: tf.Tensor1D, prior: FactorialPrior, globals: Record<string, tf.Tensor>) {
  return yield* condition(factorialModel, globals)(mains, prior);
}

// one decoder for every call: its contraction plan is cached per structure (M, T)
const viterbi = inferDiscrete(pinned, { firstAvailableDim: -1, temperature: 0 });

/**
 * Throws the refusal exact decoding gives for M appliances when 2M enumeration dims pass the backend's rank
 * (so a caller can refuse before spending time on learning).
 */
export function checkExactFits(M: number): void {
  if (M > MAX_EXACT_APPLIANCES) {
    throw new PPLConfigError(
      `exact disaggregation of ${M} appliances needs ${2 * M} enumeration dims (each appliance's state at t-1 and t), ` +
        `but the ${tf.getBackend()} backend computes correctly only up to rank ${MAX_SAFE_RANK}, so at most ${MAX_EXACT_APPLIANCES} appliances. ` +
        "Fix: use --inference approx (beam search + per-chain Viterbi, linear in the number of appliances), or fewer appliances",
      { expected: `at most ${MAX_EXACT_APPLIANCES} appliances`, actual: String(M) },
    );
  }
}

/**
 * The joint MAP states [M][T] of every appliance given the mains [T] and the
 * learned globals.
 *
 * @example
 * const states = exactMap(day.mains, prior, learned); // states[m][t] ∈ {0, 1, 2}
 */
export function exactMap(mains: readonly number[], prior: FactorialPrior, globals: Globals): number[][] {
  const M = prior.appliances.length;
  checkExactFits(M);
  return tf.tidy(() => {
    const tr = trace(viterbi).getTrace(tf.tensor1d(mains as number[]), prior, globalValues(globals));
    const T = mains.length;
    const all = tf.stack(Array.from({ length: M }, (_, m) => tf.stack(Array.from({ length: T }, (_, t) => tr.sampleSite(stateSite(m, t)).value.reshape([]))))).dataSync();
    return Array.from({ length: M }, (_, m) => Array.from(all.subarray(m * T, (m + 1) * T)));
  });
}
