/**
 * Between reading and fitting: the data problems an HMM cannot fit, named as
 * data problems, and standardisation (the fit runs on (y − mean) / sd,
 * results are mapped back to the data's units). No tfjs here: `ppl-hmm fit`
 * checks the data before it loads ppl.
 */
import { DataError } from "../errors.js";
import type { PlainParams } from "../params.js";

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

/**
 * The locs prior of the model (fit/model.ts): the pooled standardised values'
 * mean and 3 × their Bessel-corrected sd, as the tutorial's prior; one value
 * has no sample spread, the sd is then 1.
 */
export function locsPrior(z: readonly Float64Array[]): { loc: number; scale: number } {
  let n = 0;
  let sum = 0;
  for (const y of z) for (const v of y) (n++, (sum += v));
  const mean = sum / n;
  let ss = 0;
  for (const y of z) for (const v of y) ss += (v - mean) ** 2;
  return { loc: mean, scale: n > 1 ? 3 * Math.sqrt(ss / (n - 1)) : 1 };
}

/** (y − mean) / sd of every value, float64. */
export function standardise(seqs: readonly (readonly number[])[], s: Scale): Float64Array[] {
  return seqs.map((y) => Float64Array.from(y, (v) => (v - s.mean) / s.sd));
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


/** Every probability moved inside the simplex (an exact 0 from Baum–Welch has no unconstrained value for SVI to start from). */
export function insideSimplex(p: PlainParams): PlainParams {
  const inside = (row: number[]) => {
    const r = row.map((x) => Math.max(x, 0) + 1e-6);
    const z = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / z);
  };
  return { ...p, probsInit: inside(p.probsInit), probsTrans: p.probsTrans.map(inside) };
}
