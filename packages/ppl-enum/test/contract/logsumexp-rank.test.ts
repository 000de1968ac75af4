// logSumProduct (contract/logsumexp.ts) of broadcasting terms at ranks 5 and 6, on
// cpu and wasm: its value against a float64 log-sum-exp of the broadcast sum written
// here in plain JS, and d(Σ w·f)/d(term) against central differences of that sum.
// (It was a case of ppl-core's ops-rank6 test, which reached into ppl-enum's sources;
// the contraction's kernels are tested beside the contraction.)
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { centralDiff, fixed, onEachBackend } from "../../../ppl-core/test/gradients/fd.js";
import { logSumProduct } from "../../src/contract/logsumexp.js";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The flat offset of broadcast element `o` of `full` in a tensor of shape `shape` (right-aligned, size-1 dims repeat). */
function offset(shape: readonly number[], full: readonly number[], o: number): number {
  let flat = 0;
  let stride = 1;
  for (let d = full.length - 1, k = shape.length - 1; d >= 0; d--, k--) {
    const i = o % full[d]!;
    o = Math.floor(o / full[d]!);
    if (k >= 0) {
      if (shape[k] !== 1) flat += i * stride;
      stride *= shape[k]!;
    }
  }
  return flat;
}

/** log Σ_last exp(a + b) over the joint shape, in float64. */
function reference(a: number[], aShape: number[], b: number[], bShape: number[], joint: number[]): number[] {
  const K = joint[joint.length - 1]!;
  const out: number[] = [];
  for (let r = 0; r < size(joint) / K; r++) {
    const terms = Array.from({ length: K }, (_, k) => a[offset(aShape, joint, r * K + k)]! + b[offset(bShape, joint, r * K + k)]!);
    const m = Math.max(...terms);
    out.push(m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0)));
  }
  return out;
}

const CASES = {
  5: { joint: [2, 2, 3, 2, 3], a: [2, 1, 3, 1, 3], b: [1, 2, 1, 2, 3] },
  6: { joint: [2, 2, 1, 3, 2, 3], a: [2, 1, 1, 3, 1, 3], b: [1, 2, 1, 1, 2, 3] },
} as const;

onEachBackend(() => {
  for (const rank of [5, 6] as const) {
    it(`at rank ${rank}: value and gradients against float64`, () => {
      const { joint, a: aShape, b: bShape } = CASES[rank];
      const a = fixed(size(aShape), -2, 2, 11);
      const b = fixed(size(bShape), -2, 2, 12);
      const truth = reference(a, [...aShape], b, [...bShape], [...joint]);
      const w = fixed(truth.length, 0.5, 1.5, 77);
      const objective = (p: number[], q: number[]) =>
        reference(p, [...aShape], q, [...bShape], [...joint]).reduce((s, v, i) => s + w[i]! * v, 0);
      const fdA = centralDiff(a, (v) => objective(v, b));
      const fdB = centralDiff(b, (v) => objective(a, v));
      tf.tidy(() => {
        const ta = tf.tensor(a, [...aShape]);
        const tb = tf.tensor(b, [...bShape]);
        const y = logSumProduct([ta, tb], joint);
        expect(y.shape).toEqual(joint.slice(0, -1));
        const values = y.dataSync();
        truth.forEach((t, i) => expect(Math.abs(values[i]! - t), `value ${i}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(t))));
        const wt = tf.tensor(w, joint.slice(0, -1));
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => logSumProduct([p, q], joint).mul(wt).sum())([ta, tb]);
        const scale = Math.max(1, ...fdA.map(Math.abs), ...fdB.map(Math.abs));
        ga!.dataSync().forEach((g, i) => expect(Math.abs(g - fdA[i]!), `d/da ${i}`).toBeLessThan(2e-4 * scale));
        gb!.dataSync().forEach((g, i) => expect(Math.abs(g - fdB[i]!), `d/db ${i}`).toBeLessThan(2e-4 * scale));
      });
    });
  }
});
