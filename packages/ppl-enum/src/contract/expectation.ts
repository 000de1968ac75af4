/**
 * Exact expectations under a guide that enumerates some of its variables
 * (Pyro's Dice estimator, for enumerated sites): a cost term's expected value
 * is Σ P(x) cost(x), where P is the product of the guide's normalised
 * log-weights upstream of the cost, summed down to the dims the cost has.
 * Plates are ordinary dims here: the weights and costs are elementwise along them.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLShapeError, stopGradient } from "ppl-core";
import type { Dim, Factor } from "./factor.js";

/** tfjs wasm computes elementwise ops wrongly above rank 6 (TFJS-NOTES §4 in the design notes). */
const MAX_JOINT_RANK = 6;

const MOST_NEGATIVE = -3.4e38;

/**
 * log Σ_{dims not in target} exp(Σ_i weights_i), with axes in `target`'s order.
 * Every target dim must occur in some weight.
 */
export function logMarginal(
  weights: readonly Factor[],
  target: readonly Dim[],
  sizes: ReadonlyMap<Dim, number>,
  label: (d: Dim) => string,
): tf.Tensor {
  const others = [...new Set(weights.flatMap((w) => w.dims))].filter((d) => !target.includes(d));
  const joint = [...target, ...others];
  if (joint.length > MAX_JOINT_RANK) {
    throw new PPLShapeError(
      `the guide's enumerated variables and plates ${joint.map(label).join(", ")} would need a tensor of rank ${joint.length} ` +
        `for one expectation; tfjs wasm is silently wrong above rank ${MAX_JOINT_RANK}. Fix: enumerate fewer coupled guide variables`,
      { expected: `rank <= ${MAX_JOINT_RANK}`, actual: String(joint.length) },
    );
  }
  const shape = joint.map((d) => sizes.get(d)!);
  let sum: tf.Tensor | undefined;
  for (const w of weights) {
    const a = alignTo(w, joint, sizes);
    sum = sum === undefined ? a : sum.add(a);
  }
  if (sum === undefined) return tf.zeros(target.map((d) => sizes.get(d)!));
  if (sum.shape.some((s, i) => s !== shape[i])) sum = sum.add(tf.zeros(shape));
  if (others.length === 0) return sum;
  const axes = others.map((_, i) => target.length + i);
  // a constant shift: its gradient cancels, so it needs none
  const m = tf.maximum(stopGradient(sum.max(axes, true)), MOST_NEGATIVE);
  return sum.sub(m).exp().sum(axes).log().add(m.reshape(target.map((d) => sizes.get(d)!)));
}

/** Σ over every element of exp(logProb) · cost, `logProb` over `target` ⊆ cost's dims; a cost where P = 0 counts 0 (even -∞). */
export function expectedCost(logProb: tf.Tensor, target: readonly Dim[], cost: Factor, sizes: ReadonlyMap<Dim, number>): tf.Scalar {
  const dims = [...cost.dims, ...target.filter((d) => !cost.dims.includes(d))];
  // broadcast by adding zeros (tfjs has no Tile gradient above rank 4)
  const full = tf.zeros(dims.map((d) => sizes.get(d)!));
  const p = alignTo({ data: logProb, dims: target }, dims, sizes).exp().add(full);
  const c = alignTo(cost, dims, sizes).add(full);
  // where P = 0 the cost is never reached: 0, not 0 · (-∞) = NaN, in the value and the gradient
  const safe = tf.where(p.greater(0), c, full);
  return p.mul(safe).sum() as tf.Scalar;
}

/** Transpose and reshape `f` so its axes follow `joint` (size 1 where it lacks a dim). */
function alignTo(f: Factor, joint: readonly Dim[], sizes: ReadonlyMap<Dim, number>): tf.Tensor {
  const order = joint.filter((d) => f.dims.includes(d));
  const perm = order.map((d) => f.dims.indexOf(d));
  const x = perm.some((p, i) => p !== i) ? f.data.transpose(perm) : f.data;
  const shape = joint.map((d) => (f.dims.includes(d) ? sizes.get(d)! : 1));
  return x.rank === shape.length ? x : x.reshape(shape);
}
