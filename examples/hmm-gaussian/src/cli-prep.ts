/**
 * Between reading and fitting: the data problems an HMM cannot fit, named as
 * data problems; standardisation (the fit runs on (y − mean) / sd, results
 * are mapped back to the data's units); and the exact float64 scores of a fit
 * in the data's units (log-likelihood, Viterbi path) on ppl-core's chain
 * kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { chainForward, chainViterbi } from "ppl-core/internal";
import type { CliData } from "./cli-model.js";
import { DataError } from "./data-io.js";
import type { PlainParams } from "./truth.js";

const FLOAT32_MAX = 3.4028234663852886e38;

/** The standardisation: the fit sees (y − mean) / sd. */
export interface Scale {
  mean: number;
  sd: number;
}

/**
 * Errors (DataError) for what no fit can use; warnings (returned) for what a
 * fit can use but the user should know. `what` names the file.
 */
export function checkData(what: string, seqs: readonly number[][], labels: readonly string[], K: number): string[] {
  const warnings: string[] = [];
  if (seqs.length === 0) throw new DataError(`${what}: no sequences found`);
  seqs.forEach((y, s) => {
    const name = `sequence '${labels[s]}'`;
    if (y.length === 0) throw new DataError(`${what}: ${name} has no values`);
    if (y.length === 1) throw new DataError(`${what}: ${name} has 1 value; an HMM needs at least 2 time steps per sequence (remove it or add data)`);
    const big = y.findIndex((v) => Math.abs(v) > FLOAT32_MAX);
    if (big >= 0) throw new DataError(`${what}: ${name}, value ${big + 1} is ${y[big]}, beyond the float32 range ±3.4e38 the fit computes in; rescale the data (e.g. divide by a power of 10)`);
  });
  const N = seqs.reduce((a, y) => a + y.length, 0);
  if (N < K) throw new DataError(`${what}: ${N} values but --states ${K}; an HMM with K states needs more values than states`);
  const distinct = new Set(seqs.flat()).size;
  if (distinct < K) throw new DataError(`${what}: only ${distinct} distinct value(s) but --states ${K}; use --states ${Math.max(1, distinct)} or fewer`);
  const { mean, sd } = pooledScale(seqs);
  if (!(sd > 1e-9 * Math.max(Math.abs(mean), 1e-300))) {
    throw new DataError(`${what}: constant data (every value ${mean === 0 ? 0 : `≈ ${mean.toPrecision(6)}`}, sd ${sd.toPrecision(3)}); an HMM needs values that vary`);
  }
  seqs.forEach((y, s) => {
    const first = y[0]!;
    if (y.every((v) => v === first)) warnings.push(`sequence '${labels[s]}' is constant (every value ${first})`);
  });
  return warnings;
}

/** Mean and (population) sd of every value of every sequence, in float64. */
export function pooledScale(seqs: readonly (readonly number[])[]): Scale {
  let n = 0;
  let sum = 0;
  for (const y of seqs) for (const v of y) (n++, (sum += v));
  const mean = sum / n;
  let ss = 0;
  for (const y of seqs) for (const v of y) ss += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / n) };
}

/** (y − mean) / sd of every value, float64. */
export function standardise(seqs: readonly (readonly number[])[], s: Scale): Float64Array[] {
  return seqs.map((y) => Float64Array.from(y, (v) => (v - s.mean) / s.sd));
}

/** The model's input: sequences grouped by length (tensors the caller disposes with `disposeData`). */
export function toCliData(z: readonly Float64Array[], sdFloor: number): CliData {
  const byLength = new Map<number, Float64Array[]>();
  for (const y of z) byLength.set(y.length, [...(byLength.get(y.length) ?? []), y]);
  const groups = [...byLength.entries()].map(([T, ys]) => {
    const flat = new Float32Array(ys.length * T);
    ys.forEach((y, s) => flat.set(y, s * T));
    return tf.tensor2d(flat, [ys.length, T]);
  });
  const N = z.reduce((a, y) => a + y.length, 0);
  const all = new Float32Array(N);
  let o = 0;
  for (const y of z) (all.set(y, o), (o += y.length));
  return { groups, all: tf.tensor2d(all, [1, N]), sdFloor };
}

/** Releases the tensors of `toCliData`. */
export function disposeData(d: CliData): void {
  tf.dispose([...d.groups, d.all]);
}

/** Standardised-unit params (scales = the model's `scales` site) → the data's units, with each state's emission sd. */
export function toDataUnits(p: PlainParams, s: Scale, sdFloor: number): PlainParams {
  return {
    probsInit: p.probsInit,
    probsTrans: p.probsTrans,
    locs: p.locs.map((m) => s.mean + s.sd * m),
    scales: p.scales.map((c) => s.sd * Math.sqrt(c * c + sdFloor * sdFloor)),
  };
}

/** The chain's factors for one sequence: unary [1, T, K] (log p(z_0) folded into t = 0), pair [1, 1, K, K]. */
function factors(y: ArrayLike<number>, p: PlainParams): { unary: Float64Array; pair: Float64Array; K: number; T: number } {
  const K = p.locs.length;
  const T = y.length;
  const unary = new Float64Array(T * K);
  const logNorm = p.scales.map((sd) => -Math.log(sd) - 0.5 * Math.log(2 * Math.PI));
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const u = (y[t]! - p.locs[k]!) / p.scales[k]!;
      unary[t * K + k] = logNorm[k]! - 0.5 * u * u + (t === 0 ? Math.log(p.probsInit[k]!) : 0);
    }
  }
  const pair = Float64Array.from(p.probsTrans.flat(), Math.log);
  return { unary, pair, K, T };
}

/** log p(y) of every sequence under `p` (data units, emission sds), exact in float64. */
export function logLikelihood(seqs: readonly (ArrayLike<number>)[], p: PlainParams): number {
  let total = 0;
  for (const y of seqs) {
    const { unary, pair, K, T } = factors(y, p);
    total += chainForward({ B: 1, n: T, K, Bu: 1, Bp: 1, Tp: 1 }, unary, pair).logZ[0]!;
  }
  return total;
}

/** The Viterbi path of one sequence under `p` (data units). */
export function viterbiPath(y: ArrayLike<number>, p: PlainParams): number[] {
  const { unary, pair, K, T } = factors(y, p);
  return Array.from(chainViterbi({ B: 1, n: T, K, Bu: 1, Bp: 1, Tp: 1 }, unary, pair).paths);
}
