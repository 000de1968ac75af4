// Pyro tutorial programs that enumerate past rank 6, on cpu and wasm: the loss
// against a float64 brute-force sum (or forward algorithm) written here, and
// its gradient against central differences of that float64 truth.
//
// * enumeration.ipynb, "Restriction 2" (valid_model): ten Bernoulli variables
//   in a sequential plate, all enumerated, observed through their sum: dims -1
//   to -10.
// * enumeration.ipynb, "Time series example" (hmm_model) without
//   pyro.markov, the tutorial's point about why markov matters: ten steps hold
//   ten state dims left of max_plate_nesting=1, rank 11.
// * tensor_shapes.ipynb, model3: `e` is a rank-7 site (2, 1, 1, 1, 5, 4 | 7).
// ppl refused all three while tfjs's wasm kernels were wrong above rank 6.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { dist, plate, sample, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { centralDiff, expectGradClose, fixed, onEachBackend } from "../../ppl-core/test/gradients/fd.js";
import { bruteForce, logSumExp, normalLogPdf } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

/** ppl's loss and its gradient w.r.t. theta, against the float64 truth and its central differences. */
function checkAgainst(make: (theta: tf.Tensor1D) => Model<[]>, truth: (theta: number[]) => number, theta0: number[], maxPlateNesting: number): void {
  const elbo = new TraceEnumELBO({ maxPlateNesting });
  const before = tf.memory().numTensors;
  const { loss, grad } = tf.tidy(() => {
    const f = (theta: tf.Tensor) => elbo.differentiableLoss(make(theta as tf.Tensor1D), emptyGuide);
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor1d(theta0));
    return { loss: value.dataSync()[0]!, grad: Array.from(grad.dataSync()) };
  });
  expect(tf.memory().numTensors).toBe(before);
  const expected = truth(theta0);
  expect(Math.abs(loss - expected), `loss ${loss} vs float64 ${expected}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
  const fd = centralDiff(theta0, truth, 1e-6);
  expect(Math.max(...fd.map(Math.abs)), "the gradient is not trivially zero").toBeGreaterThan(1e-2);
  expectGradClose(grad, fd, 1e-3, "d loss / d theta");
}

const softmax = (xs: readonly number[]): number[] => {
  const m = logSumExp(xs);
  return xs.map((x) => Math.exp(x - m));
};

onEachBackend((backend) => {
  it(`enumeration tutorial, valid_model: 10 enumerated Bernoullis in a sequential plate (${backend})`, () => {
    const data = 3.7;
    // theta = [p, scale]
    const make = (theta: tf.Tensor1D) => function* () {
      const x = yield* plate("plate", 10, { sequential: true }, function* (i) {
        return yield* sample(`x_${i}`, dist.Bernoulli(theta.slice(0, 1).squeeze()), en);
      });
      expect(x[9]!.shape).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
      // the sum broadcasts the ten enumerated values to rank 10 (tfjs add, on wasm its XNNPACK kernel)
      yield* sample("obs", dist.Normal(x.reduce((s, xi) => s.add(xi)), theta.slice(1, 1).squeeze()), { obs: data });
    };
    const truth = ([p, s]: number[]) =>
      -bruteForce(new Array<number>(10).fill(2), (xs) =>
        xs.reduce((acc, xi) => acc + Math.log(xi === 1 ? p! : 1 - p!), 0) + normalLogPdf(data, xs.reduce((a, b) => a + b, 0), s!));
    checkAgainst(make, truth, [0.3, 1.4], 0);
  });

  it(`enumeration tutorial, hmm_model: 10 steps without markov, max_plate_nesting=1 (rank 11) (${backend})`, () => {
    const H = 10;
    const D = 4;
    const ys = [0, 3, 1, 1, 2, 0, 3, 3, 2, 1];
    // theta = transition logits [H, H] then emission logits [H, D], row-major
    const make = (theta: tf.Tensor1D) => function* () {
      const transition = theta.slice(0, H * H).reshape([H, H]);
      const emission = theta.slice(H * H, H * D).reshape([H, D]);
      let x: tf.Tensor | number = 0;
      for (let t = 0; t < ys.length; t++) {
        const row: tf.Tensor = typeof x === "number" ? transition.slice([x, 0], [1, H]).squeeze([0]) : vindex(transition, "...", x, ":");
        x = yield* sample(`x_${t}`, dist.Categorical({ logits: row }), en);
        yield* sample(`y_${t}`, dist.Categorical({ logits: vindex(emission, "...", x, ":") }), { obs: ys[t]! });
      }
      expect((x as tf.Tensor).rank).toBe(11);
    };
    const truth = (theta: number[]) => {
      const A = Array.from({ length: H }, (_, i) => softmax(theta.slice(i * H, (i + 1) * H)));
      const B = Array.from({ length: H }, (_, i) => softmax(theta.slice(H * H + i * D, H * H + (i + 1) * D)));
      // forward algorithm in probability space from the fixed initial state 0
      let alpha = A[0]!.map((a, j) => a * B[j]![ys[0]!]!);
      for (let t = 1; t < ys.length; t++) {
        alpha = Array.from({ length: H }, (_, j) => alpha.reduce((s, a, i) => s + a * A[i]![j]!, 0) * B[j]![ys[t]!]!);
      }
      return -Math.log(alpha.reduce((a, b) => a + b, 0));
    };
    checkAgainst(make, truth, fixed(H * H + H * D, -1, 1, 5), 1);
  });

  it(`tensor shapes tutorial, model3: the rank-7 site e (2, 1, 1, 1, 5, 4 | 7) observed (${backend})`, () => {
    const eObs = fixed(5 * 4 * 7, -3, 3, 9);
    // theta = locs
    const make = (theta: tf.Tensor1D) => function* () {
      const p = tf.range(0, 6).div(6);
      const a = yield* sample("a", dist.Categorical(tf.ones([6]).div(6)), en);
      const b = yield* sample("b", dist.Bernoulli(vindex(p, a)), en);
      expect([a.shape, b.shape]).toEqual([[6, 1, 1], [2, 1, 1, 1]]);
      yield* plate("c_plate", 4, function* () {
        const c = yield* sample("c", dist.Bernoulli(0.3), en);
        yield* plate("d_plate", 5, function* () {
          const d = yield* sample("d", dist.Bernoulli(0.4), en);
          const eLoc = vindex(theta, d.cast("int32")).expandDims(-1);
          const e = yield* sample("e", dist.Normal(eLoc, tf.range(1, 8)).toEvent(1), { obs: tf.tensor3d(eObs, [5, 4, 7]) });
          expect([c.shape, d.shape, e.shape]).toEqual([[2, 1, 1, 1, 1], [2, 1, 1, 1, 1, 1], [5, 4, 7]]);
        });
      });
    };
    // a, b and c are summed out to 1 (nothing observed depends on them); each (c, d) member sums its own d
    const truth = (locs: number[]) => {
      let total = 0;
      for (let m = 0; m < 20; m++) {
        total += logSumExp([0, 1].map((d) => Math.log(d === 1 ? 0.4 : 0.6) +
          Array.from({ length: 7 }, (_, k) => normalLogPdf(eObs[m * 7 + k]!, locs[d]!, k + 1)).reduce((s, v) => s + v, 0)));
      }
      return -total;
    };
    checkAgainst(make, truth, [-1, 1], 2);
  });
});
