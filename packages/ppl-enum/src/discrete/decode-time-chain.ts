/**
 * inferDiscrete for a vectorizedMarkov chain: its terms are decoded as one
 * chain over the flattened state (ppl-core's chain kernel), then every
 * state variable gets its component: step 0's variables at t = 0 over the
 * chain's plates, step 1's at t = 1..T-1 along the time dim as well.
 */
import { PPLModelError } from "ppl-core";
import { chainForward, chainLayout, chainSample, chainViterbi } from "ppl-core/internal";
import type { Assignment } from "../contract/backward.js";
import type * as tf from "@tensorflow/tfjs";
import type { Dim } from "../contract/factor.js";
import { timeChainTerms } from "../contract/time-chain.js";
import type { TimeChainProblem } from "../enum/time-chains.js";

export type ChainMode = { readonly kind: "max" } | { readonly kind: "sample"; readonly rng: () => number };

/** The paths [B, n] of the chain: Viterbi, or one FFBS draw per member. */
function decodePaths(unary: tf.Tensor, pair: tf.Tensor, mode: ChainMode): Int32Array {
  const L = chainLayout(unary.shape, pair.shape, "inferDiscrete");
  if (mode.kind === "max") return chainViterbi(L, unary.dataSync(), pair.dataSync()).paths;
  const sweep = chainForward(L, unary.dataSync(), pair.dataSync());
  const paths = new Int32Array(L.B * L.n);
  for (let b = 0; b < L.B; b++) chainSample(sweep, b, mode.rng, paths, b * L.n);
  return paths;
}

export function decodeTimeChain(c: TimeChainProblem, sizes: ReadonlyMap<Dim, number>, mode: ChainMode): Map<Dim, Assignment> {
  if (c.batch.length > c.plates.length) {
    const outer = c.batch.slice(0, c.batch.length - c.plates.length);
    throw new PPLModelError(
      `inferDiscrete: vectorizedMarkov('${c.name}') depends on enumerated variables outside it (${outer.join(", ")}); ` +
        "decoding such a chain is not supported. Fix: decode with the markov(range(T), ...) form of the model (same parameters)",
      { expected: "a chain that depends only on its own states", actual: outer.join(", ") },
    );
  }
  const { unary, pair, B } = timeChainTerms(c, sizes);
  const T = c.steps + 1;
  const stateSizes = c.prev.map((d) => sizes.get(d)!);
  const K = stateSizes.reduce((a, b) => a * b, 1);
  const paths = decodePaths(unary, pair, mode);
  const plateSizes = c.plates.map((d) => sizes.get(d)!);
  const out = new Map<Dim, Assignment>();
  let stride = K;
  stateSizes.forEach((n, v) => {
    stride /= n;
    const component = (state: number) => Math.floor(state / stride) % n;
    const first = new Int32Array(B);
    const rest = new Int32Array(B * (T - 1));
    for (let b = 0; b < B; b++) {
      first[b] = component(paths[b * T]!);
      for (let t = 1; t < T; t++) rest[b * (T - 1) + t - 1] = component(paths[b * T + t]!);
    }
    out.set(c.prev[v]!, { plates: c.plates, sizes: plateSizes, values: first });
    out.set(c.curr[v]!, { plates: [...c.plates, c.time], sizes: [...plateSizes, c.steps], values: rest });
  });
  return out;
}
