/**
 * Running ppl's contraction on a test Problem with each ring, and reading
 * its results back in the oracle's terms (totals and flat assignments).
 */
import * as tf from "@tensorflow/tfjs";
import { backward, chooseMax, sampleChooser, type DecidedLookup } from "../../src/contract/backward.js";
import { runPlan } from "../../src/contract/execute.js";
import { type Factor, type FactorSignature, type PlacedFactor } from "../../src/contract/factor.js";
import { buildPlan, type Plan } from "../../src/contract/plan.js";
import { logRing, MapRing, type Ring, SampleRing } from "../../src/contract/rings.js";
import { type Problem, type Unrolled, varsOf } from "./problem.js";

export const label = (p: Problem) => (d: string): string => (p.plates.has(d) ? `plate '${d}'` : `'${d}'`);

/** A factor's values as a ppl factor: size-1 axes dropped (ppl keeps only dims of size > 1). */
export function pplFactor(p: Problem, i: number, data?: tf.Tensor): PlacedFactor {
  const f = p.factors[i]!;
  const dims = f.dims.filter((d) => p.sizes.get(d)! > 1);
  const shape = dims.map((d) => p.sizes.get(d)!);
  const t = data ?? tf.tensor(Float32Array.from(f.values), shape);
  return { factor: { data: t, dims }, ordinal: f.ordinal };
}

export function plateSizes(p: Problem): Map<string, number> {
  return new Map([...p.plates].map((pl) => [pl, p.sizes.get(pl)!]));
}

/** The plan ppl builds for this problem's factor signatures. */
export function planFor(p: Problem, fuseChains = false): Plan {
  const sigs: FactorSignature[] = p.factors.map((f) => {
    const dims = f.dims.filter((d) => p.sizes.get(d)! > 1);
    return { dims, sizes: dims.map((d) => p.sizes.get(d)!), ordinal: f.ordinal };
  });
  return buildPlan(sigs, new Set(varsOf(p)), plateSizes(p), label(p), { fuseChains });
}

/** The roots of a run, checked to be over plate dims only, and their total (Σ of every element times the root's multiplier, as the ELBO takes it). */
export interface RunResult {
  readonly total: number;
  readonly rootDims: (readonly string[])[];
}

export function runRing(p: Problem, ring: Ring, plan: Plan = planFor(p)): RunResult {
  const sums = tf.tidy(() => {
    const inputs: Factor[] = p.factors.map((_, i) => pplFactor(p, i).factor);
    return runPlan(plan, inputs, ring).map((r, i) => r.sum().mul(plan.rootMultipliers[i]!));
  });
  const total = sums.reduce((acc, t) => acc + t.dataSync()[0]!, 0);
  tf.dispose(sums);
  return { total, rootDims: plan.roots.map((r) => plan.slotDims[r]!) };
}

export const logTotal = (p: Problem, fuseChains = false): RunResult => runRing(p, logRing, planFor(p, fuseChains));

/** d total / d each factor value (ppl's gradient through the log ring), one array per factor. */
export function logGrad(p: Problem, fuseChains = false): Float64Array[] {
  const plan = planFor(p, fuseChains);
  const gs = tf.tidy(() => {
    const xs = p.factors.map((_, i) => pplFactor(p, i).factor.data);
    const f = (...ts: tf.Tensor[]) => {
      const roots = runPlan(plan, ts.map((t, i) => pplFactor(p, i, t).factor), logRing);
      return tf.addN(roots.map((r, i) => r.sum().mul(plan.rootMultipliers[i]!)));
    };
    return tf.grads(f)(xs);
  });
  const out = gs.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(gs);
  return out;
}

/** A decoded assignment in flat terms (a variable's copies read from the plates it was decided along). */
export function flatAssignment(p: Problem, u: Unrolled, decided: DecidedLookup): Int32Array {
  const out = new Int32Array(u.flat.sizes.length);
  for (const [v, c] of u.copies) {
    const a = decided.get(v);
    if (a === undefined) {
      if (p.sizes.get(v)! > 1) throw new Error(`ppl decided no value for variable '${v}'`);
      continue;
    }
    for (const pl of a.plates) {
      if (!c.plates.includes(pl)) throw new Error(`ppl decided '${v}' along ${pl}, which is not one of its plates (${c.plates.join(",")})`);
    }
    const sizes = c.plates.map((pl) => p.sizes.get(pl)!);
    c.ids.forEach((id, flatIdx) => {
      // this copy's plate index, then its position in the assignment's own plate layout
      let rem = flatIdx;
      const idx = new Map<string, number>();
      for (let i = c.plates.length - 1; i >= 0; i--) {
        idx.set(c.plates[i]!, rem % sizes[i]!);
        rem = Math.floor(rem / sizes[i]!);
      }
      const at = a.plates.reduce((acc, pl, i) => acc * a.sizes[i]! + idx.get(pl)!, 0);
      out[id] = a.values[a.offset + at]!;
    });
  }
  return out;
}

/** MAP: the max ring's total and its decoded assignment. */
export function mapDecode(p: Problem, u: Unrolled, fuseChains = false): { total: number; assignment: Int32Array } {
  const ring = new MapRing();
  const { total } = runRing(p, ring, planFor(p, fuseChains));
  return { total, assignment: flatAssignment(p, u, backward(ring.records, plateSizes(p), chooseMax)) };
}

/** `n` joint posterior draws by the sample ring (one forward run, n backward passes). */
export function sampleDraws(p: Problem, u: Unrolled, n: number, random: () => number, fuseChains = false): Int32Array[] {
  const ring = new SampleRing();
  runRing(p, ring, planFor(p, fuseChains));
  const chooser = sampleChooser(random);
  const draws: Int32Array[] = [];
  for (let s = 0; s < n; s++) draws.push(flatAssignment(p, u, backward(ring.records, plateSizes(p), chooser)));
  return draws;
}
