/**
 * SVI's check of an update before it is written: every new unconstrained
 * value must be finite, and so must the constrained value a site would read
 * from it, inside its constraint (exp(u) is Infinity, or 0, for a finite u
 * far enough out). The values are read into JS and checked there: the
 * optimiser has just read every param and gradient, so the reads cost no
 * extra wait, where reducing them with tfjs ops cost ~7 kernels per
 * constrained param and 1 per real one every step (as many as the coin's
 * whole step). A param whose transform vouches for values that small
 * (Transform.safeRadius: the identity, exp, sigmoid, stick-breaking) runs no kernel; any
 * other runs its transform and its constraint's check. Only when a value
 * fails are the params described one by one, to name them.
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
  const valid = tf.tidy(() => {
    for (const [name, u] of proposed) {
      const bound = largestMagnitude(u.dataSync());
      if (!Number.isFinite(bound)) return false;
      if (bound <= store.transform(name).safeRadius) continue;
      const c = store.constrain(name, u);
      if (!allFinite(c.dataSync()) || !allSet(store.constraint(name).check(c).dataSync())) return false;
    }
    return true;
  });
  if (valid) return [];
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

/** Whether every value is finite (no NaN, no ±Infinity). */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

function allSet(flags: ArrayLike<number>): boolean {
  for (let i = 0; i < flags.length; i++) if (flags[i] === 0) return false;
  return true;
}

/** max |x|, NaN if any x is NaN. */
function largestMagnitude(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]!);
    if (a > m) m = a;
    else if (Number.isNaN(a)) return NaN;
  }
  return m;
}
