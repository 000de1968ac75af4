/** Shared test helpers: reference data and float64 references written in plain JS. */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { dist, markov, plate, range, sample, vindex } from "ppl-core";

const dataDir = new URL("../../../data/", import.meta.url);
export function loadJSON<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dataDir), "utf8")) as T;
}

export const LOG_2PI = Math.log(2 * Math.PI);
export function normalLogPdf(x: number, mu: number, sd: number): number {
  const z = (x - mu) / sd;
  return -0.5 * z * z - Math.log(sd) - 0.5 * LOG_2PI;
}

export function logSumExp(xs: readonly number[]): number {
  // a loop, not Math.max(...xs): brute-force sums pass more values than a call's arguments may be
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Every assignment of n variables with the given sizes (row-major). */
export function* assignments(sizes: readonly number[]): Generator<number[]> {
  const a = new Array<number>(sizes.length).fill(0);
  const total = sizes.reduce((x, y) => x * y, 1);
  for (let c = 0; c < total; c++) {
    let rem = c;
    for (let i = sizes.length - 1; i >= 0; i--) {
      a[i] = rem % sizes[i]!;
      rem = Math.floor(rem / sizes[i]!);
    }
    yield [...a];
  }
}

/** log Σ over every joint assignment of exp(logJoint(assignment)), in float64. */
export function bruteForce(sizes: readonly number[], logJoint: (a: number[]) => number): number {
  const terms: number[] = [];
  for (const a of assignments(sizes)) terms.push(logJoint(a));
  return logSumExp(terms);
}

export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

export interface HMMParams {
  pi: number[];
  A: number[][];
  locs: number[];
  scales: number[];
}

/** Float64 forward algorithm for a Gaussian HMM: log p(y). */
export function forwardLogLik(y: readonly number[], p: HMMParams): number {
  const K = p.pi.length;
  let alpha = p.pi.map((pk, k) => Math.log(pk) + normalLogPdf(y[0]!, p.locs[k]!, p.scales[k]!));
  for (let t = 1; t < y.length; t++) {
    alpha = Array.from({ length: K }, (_, j) =>
      logSumExp(alpha.map((a, i) => a + Math.log(p.A[i]![j]!))) + normalLogPdf(y[t]!, p.locs[j]!, p.scales[j]!));
  }
  return logSumExp(alpha);
}

/** Float64 Viterbi: the most likely path. */
export function viterbi(y: readonly number[], p: HMMParams): number[] {
  const K = p.pi.length;
  const T = y.length;
  let delta = p.pi.map((pk, k) => Math.log(pk) + normalLogPdf(y[0]!, p.locs[k]!, p.scales[k]!));
  const bps: number[][] = [];
  for (let t = 1; t < T; t++) {
    const bp: number[] = [];
    delta = Array.from({ length: K }, (_, j) => {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        const v = delta[i]! + Math.log(p.A[i]![j]!);
        if (v > best) [best, arg] = [v, i];
      }
      bp.push(arg);
      return best + normalLogPdf(y[t]!, p.locs[j]!, p.scales[j]!);
    });
    bps.push(bp);
  }
  let last = delta.indexOf(Math.max(...delta));
  const path = [last];
  for (let t = T - 2; t >= 0; t--) {
    last = bps[t]![last]!;
    path.unshift(last);
  }
  return path;
}

/** The seed HMM, written as in the issue. `priors: false` takes the globals as fixed arguments instead. */
export function* seedModel(obs: tf.Tensor2D, K: number) {
  const [S, T] = obs.shape;
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const n = S * T;
  const sd = tf.moments(obs).variance.mul(n / (n - 1)).sqrt();
  const locs = yield* sample("locs", dist.Normal(obs.mean(), sd.mul(3)).expand([K]).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(0, 1).expand([K]).toEvent(1));
  yield* hmmBody(obs, probsInit, probsTrans, locs, scales);
}

export function* hmmBody(obs: tf.Tensor2D, probsInit: tf.Tensor, probsTrans: tf.Tensor, locs: tf.Tensor, scales: tf.Tensor) {
  const [S, T] = obs.shape;
  yield* plate("seqs", S, { dim: -1 }, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(T), function* (t) {
      const probs = t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), {
        obs: obs.slice([0, t], [S, 1]).reshape([S]),
      });
    });
  });
}

export function deltaGuide(values: { probs_init: tf.Tensor; probs_trans: tf.Tensor; locs: tf.Tensor; scales: tf.Tensor }) {
  return function* guide() {
    yield* sample("probs_init", dist.Delta(values.probs_init, { eventDim: 1 }));
    yield* sample("probs_trans", dist.Delta(values.probs_trans, { eventDim: 2 }));
    yield* sample("locs", dist.Delta(values.locs, { eventDim: 1 }));
    yield* sample("scales", dist.Delta(values.scales, { eventDim: 1 }));
  };
}

/** The error `f` throws inside a tidy (the test fails if it throws none). */
export function errorOf(f: () => unknown): Error {
  try {
    tf.tidy(() => {
      f();
    });
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}
