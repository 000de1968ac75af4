/**
 * Exact expectations under a guide that enumerates some of its variables
 * (Pyro's Dice estimator, for enumerated sites): a cost term's expected value
 * is Σ P(x) cost(x), where P is the product of the guide's normalised
 * log-weights upstream of the cost, summed down to the dims the cost has.
 * Plates are ordinary dims here: the weights and costs are elementwise along them.
 */
import * as tf from "@tensorflow/tfjs-core";
import { align, runPlan } from "./execute.js";
import type { Dim, Factor } from "./factor.js";
import type { PlanCache } from "./plan-cache.js";
import { alignTo as planAlign } from "./plan.js";
import { logRing } from "./rings.js";

/**
 * log Σ_{dims not in target} exp(Σ_i weights_i), with axes in `target`'s order:
 * Pyro's sumproduct of the Dice factors, plates being ordinary dims. It is one
 * more contraction, so it runs through a plan (greedy elimination: on a guide's
 * chain that is the forward algorithm), never through the joint of every weight.
 * Every target dim must occur in some weight.
 */
export function logMarginal(
  weights: readonly Factor[],
  target: readonly Dim[],
  sizes: ReadonlyMap<Dim, number>,
  label: (d: Dim) => string,
  plans: PlanCache,
): tf.Tensor {
  const targetShape = target.map((d) => sizes.get(d)!);
  if (weights.length === 0) return tf.zeros(targetShape);
  const sumDims = new Set(weights.flatMap((w) => w.dims).filter((d) => !target.includes(d)));
  // no ordinals: plates are plain dims here, summed (in probability space) only when the target lacks them
  const sigs = weights.map((w) => ({ dims: w.dims, sizes: w.dims.map((d) => sizes.get(d)!), ordinal: [] }));
  const plan = plans.get(sigs, sumDims, new Map(), label);
  let out: tf.Tensor | undefined;
  runPlan(plan, weights, logRing).forEach((root, i) => {
    const aligned = alignTo({ data: root, dims: plan.slotDims[plan.roots[i]!]! }, target, sizes);
    out = out === undefined ? aligned : out.add(aligned);
  });
  return out!.shape.length === targetShape.length && out!.shape.every((n, i) => n === targetShape[i]) ? out! : out!.add(tf.zeros(targetShape));
}

/** Σ over every element of exp(logProb) · cost, `logProb` over `target` ⊆ cost's dims; a cost where P = 0 counts 0 (even -∞). */
export function expectedCost(logProb: tf.Tensor, target: readonly Dim[], cost: Factor, sizes: ReadonlyMap<Dim, number>): tf.Scalar {
  const dims = [...cost.dims, ...target.filter((d) => !cost.dims.includes(d))];
  // broadcast by adding zeros (wasm's Tile, which tf.broadcastTo runs, is slow)
  const full = tf.zeros(dims.map((d) => sizes.get(d)!));
  const p = alignTo({ data: logProb, dims: target }, dims, sizes).exp().add(full);
  const c = alignTo(cost, dims, sizes).add(full);
  // where P = 0 the cost is never reached: 0, not 0 · (-∞) = NaN, in the value and the gradient
  const safe = tf.where(p.greater(0), c, full);
  return p.mul(safe).sum() as tf.Scalar;
}

/** Transpose and reshape `f` so its axes follow `joint` (size 1 where it lacks a dim), as a plan step aligns its inputs. */
function alignTo(f: Factor, joint: readonly Dim[], sizes: ReadonlyMap<Dim, number>): tf.Tensor {
  return align(f.data, planAlign(f.dims, joint, joint.map((d) => sizes.get(d)!)));
}
