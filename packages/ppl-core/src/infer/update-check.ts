/**
 * SVI's check of an update before it is written: every new unconstrained
 * value must be finite, and so must the constrained value a site would read
 * from it, inside its constraint (exp(u) is Infinity, or 0, for a finite u
 * far enough out). One read for the whole step: a sum is non-finite if any
 * of its terms is, and the constraints' checks are reduced to one flag. Only
 * when either fails are the values read param by param, to name them (a sum
 * of large finite terms may also overflow: then nothing is named and the
 * update goes ahead).
 */
import * as tf from "@tensorflow/tfjs-core";
import { getParamStore } from "../params/param-store.js";

/** A param whose proposed value is not finite or not in its constraint, and where. */
export interface InvalidUpdate {
  /** The param's name. */
  readonly name: string;
  /** A sentence about it: the element and value, unconstrained and constrained. */
  readonly text: string;
}

/** The params of `proposed` (new unconstrained values by name) whose new value, or the constrained value read from it, is invalid. */
export function invalidUpdates(proposed: ReadonlyMap<string, tf.Tensor>): InvalidUpdate[] {
  if (proposed.size === 0) return [];
  const store = getParamStore();
  const [total, inside] = tf.tidy(() => {
    const sums: tf.Tensor[] = [];
    const checks: tf.Tensor[] = [];
    for (const [name, u] of proposed) {
      sums.push(u.sum());
      const c = store.constrain(name, u);
      if (c === u) continue; // real: the unconstrained value says it all
      sums.push(c.sum());
      checks.push(store.constraint(name).check(c).all());
    }
    const sum = sums.length === 1 ? sums[0]! : tf.addN(sums);
    const ok = checks.length === 0 ? tf.scalar(1) : tf.stack(checks).all().cast("float32");
    return tf.stack([sum, ok]).dataSync();
  });
  if (Number.isFinite(total) && inside === 1) return [];
  const bad: InvalidUpdate[] = [];
  for (const [name, u] of proposed) {
    const text = tf.tidy(() => describe(name, u));
    if (text !== undefined) bad.push({ name, text });
  }
  return bad;
}

function describe(name: string, u: tf.Tensor): string | undefined {
  const store = getParamStore();
  const ud = u.dataSync();
  const i = ud.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) return `'${name}' (its new unconstrained value is ${ud[i]} at element ${i}: the update itself overflowed)`;
  const c = store.constrain(name, u);
  if (c === u) return undefined;
  const constraint = store.constraint(name);
  const cd = c.dataSync();
  // a constraint's check is per event: broadcast it back over the value's entries
  const check = constraint.check(c);
  const inside = tf.broadcastTo(check.reshape([...check.shape, ...c.shape.slice(check.rank).map(() => 1)]), c.shape).dataSync();
  const j = cd.findIndex((x, k) => !Number.isFinite(x) || !inside[k]);
  if (j < 0) return undefined;
  const from = c.size === u.size ? `its new unconstrained value ${ud[j]} at element ${j}` : "its new unconstrained value";
  return `'${name}' (${from} maps to ${cd[j]} under its constraint ${constraint.name}${Number.isFinite(cd[j]) ? ", outside it" : ""})`;
}
