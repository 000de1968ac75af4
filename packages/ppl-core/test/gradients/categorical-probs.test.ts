// Categorical(probs) normalises as torch.distributions.Categorical does:
// logits = log clamp(p / Σ p). An unnormalised row scores log(p_k / Σ p) and
// its gradient is [j = k] / p_k - 1 / Σ p (closed forms below), with
// validation on or off (torch normalises before it validates, so only a
// negative, non-finite or all-zero row is refused). On cpu and wasm, including a rank-7 probs
// (6 batch dims), whose rows are normalised folded because wasm's elementwise
// ops are wrong from rank 7.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PPLSupportError, dist, setValidation } from "ppl-core";
import { expectGradClose, fixed, onEachBackend, size } from "./fd.js";
import { withStepCache } from "../../src/ops/step-cache.js";

const rows = [
  [1, 2, 3],
  [0.5, 0.5, 3],
];
const value = [2, 0];
const sums = rows.map((r) => r.reduce((a, b) => a + b, 0));

onEachBackend((backend) => {
  describe("validation off", () => {
    beforeEach(() => setValidation(false));
    afterEach(() => setValidation(true));

    it(`an unnormalised row scores log(p_k / sum p), and probs / mean are normalised (${backend})`, () => {
      tf.tidy(() => {
        const d = dist.Categorical(tf.tensor2d(rows));
        expectGradClose(d.logProb(tf.tensor1d(value, "int32")).dataSync(), value.map((k, r) => Math.log(rows[r]![k]! / sums[r]!)), 1e-6, "log p");
        expectGradClose(d.probs.dataSync(), rows.flatMap((r, i) => r.map((p) => p / sums[i]!)), 1e-6, "probs");
        expectGradClose(d.mean.dataSync(), rows.map((r, i) => r.reduce((a, p, k) => a + (k * p) / sums[i]!, 0)), 1e-6, "mean");
        // a zero entry is an impossible category: log eps after torch's clamp_probs (eps = 2^-23), the rest renormalised
        const z = dist.Categorical(tf.tensor1d([0, 1, 3]));
        expect(Array.from(z.logProb(tf.tensor1d([0, 1, 2], "int32")).dataSync())).toEqual([expect.closeTo(-23 * Math.LN2, 5), expect.closeTo(Math.log(0.25), 6), expect.closeTo(Math.log(0.75), 6)]);
      });
    });

    it(`the gradient in unnormalised probs is [j = k] / p_k - 1 / sum p (${backend})`, () => {
      const w = [0.7, 1.3];
      const g = tf.tidy(() =>
        Array.from(tf.grad((p: tf.Tensor) => dist.Categorical(p).logProb(tf.tensor1d(value, "int32")).mul(tf.tensor1d(w)).sum())(tf.tensor2d(rows)).dataSync()),
      );
      const expected = rows.flatMap((r, i) => r.map((p, j) => w[i]! * ((j === value[i] ? 1 / p : 0) - 1 / sums[i]!)));
      expectGradClose(g, expected, 1e-5, "d log p / d probs");
      // a zero entry keeps a finite gradient, -1 / sum p, as torch's (clamped) probs_to_logits gives
      const z = tf.tidy(() => Array.from(tf.grad((p: tf.Tensor) => dist.Categorical(p).logProb(tf.tensor1d([1], "int32")).sum())(tf.tensor1d([0, 1, 3])).dataSync()));
      expectGradClose(z, [-0.25, 1 - 0.25, -0.25], 1e-6, "d/dprobs with a zero entry");
      // scoring the impossible category itself: log clamp(p_0 / s) has gradient 0 (the clamp bites at p_0 = 0)
      const zz = tf.tidy(() => Array.from(tf.grad((p: tf.Tensor) => dist.Categorical(p).logProb(tf.tensor1d([0], "int32")).sum())(tf.tensor1d([0, 1, 3])).dataSync()));
      expect(zz).toEqual([0, 0, 0]);
    });

    it(`two Categoricals of the same probs in one loss call share one normalisation, and the gradient adds up (${backend})`, () => {
      let shared = false;
      const g = tf.tidy(() =>
        Array.from(tf.grad((p: tf.Tensor) =>
          withStepCache(() => {
            const a = dist.Categorical(p);
            const b = dist.Categorical(p);
            shared = a.logits === b.logits;
            const v = tf.tensor1d(value, "int32");
            return a.logProb(v).add(b.logProb(v)).sum();
          }),
        )(tf.tensor2d(rows)).dataSync()),
      );
      expect(shared, "the step cache reuses the normalised logits").toBe(true);
      const expected = rows.flatMap((r, i) => r.map((p, j) => 2 * ((j === value[i] ? 1 / p : 0) - 1 / sums[i]!)));
      expectGradClose(g, expected, 1e-5, "d/dprobs");
    });

    it(`outside a loss call nothing is kept: each Categorical normalises its own probs (${backend})`, () => {
      const p = tf.tensor2d(rows);
      const [a, b] = [dist.Categorical(p), dist.Categorical(p)];
      expect(a.logits === b.logits).toBe(false);
      // and a call's results do not outlive it
      const inCall = withStepCache(() => dist.Categorical(p).logits);
      expect(withStepCache(() => dist.Categorical(p).logits) === inCall).toBe(false);
      tf.dispose([p, a.logits, b.logits, inCall]);
    });

    it(`a rank-7 probs (6 batch dims) is normalised row by row (${backend})`, () => {
      const shape = [2, 1, 2, 1, 2, 1, 3];
      const p = fixed(size(shape), 0.2, 2, 5);
      const expected = p.map((x, i) => {
        const r = Math.floor(i / 3) * 3;
        return Math.log(x / (p[r]! + p[r + 1]! + p[r + 2]!));
      });
      const logits = tf.tidy(() => Array.from(dist.Categorical(tf.tensor(p, shape)).logits.dataSync()));
      expectGradClose(logits, expected, 1e-6, "logits");
    });
  });

  describe("validation on", () => {
    it(`an unnormalised probs is normalised as torch does; a negative or all-zero row is a PPLSupportError naming the parameter (${backend})`, () => {
      const u = tf.tidy(() => Array.from(dist.Categorical(tf.tensor2d(rows)).logProb(tf.tensor1d(value, "int32")).dataSync()));
      expectGradClose(u, value.map((k, r) => Math.log(rows[r]![k]! / sums[r]!)), 1e-6, "log p of unnormalised rows");
      expect(() => tf.tidy(() => void dist.Categorical(tf.tensor2d([[1, 2], [0, 0]])))).toThrow(PPLSupportError);
      expect(() => tf.tidy(() => void dist.Categorical(tf.tensor2d([[1, -2], [1, 1]])))).toThrow(/Categorical: parameter 'probs' must be nonnegative finite weights with a positive sum, but element 0 is \[1, -2\]/);
      const d = tf.tidy(() => Array.from(dist.Categorical(tf.tensor1d([0.2, 0.3, 0.5])).logProb(tf.tensor1d([1], "int32")).dataSync()));
      expectGradClose(d, [Math.log(0.3)], 1e-6, "log p");
    });
  });
});
