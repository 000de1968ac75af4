// Sites whose distributions give equal batch keys (Normal emissions sharing the memoised
// locs[z], scales[z]; masked Bernoulli emissions probs_y[x] as in hmm.py) are scored by one
// logProbBatched, one row of that batch per site (a markov loop stacks them back along time); a distribution without the
// hook is scored site by site. Checked against the step-by-step
// contraction (whose generic elimination reads every row), a float64 forward
// algorithm, TraceELBO on sites that depend on nothing enumerated, and the shapes
// where the rows cannot be woven back in one stack (odd length, masked sites).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Distribution, TraceELBO, constraints, dist, markov, mask, plate, range, sample, trace, vindex, withHandler } from "ppl-core";
import type { Constraint } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { withStepCache } from "ppl-core/internal";
import { batchedLogProbs } from "../src/terms/batched-log-probs.js";
import { EnumMessenger } from "../src/enum/enum-handler.js";
import { bruteForce, errorOf, forwardLogLik, normalLogPdf, relErr, type HMMParams } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

const p: HMMParams = { pi: [0.5, 0.3, 0.2], A: [[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]], locs: [0, 2, 4], scales: [0.7, 1.1, 0.9] };
const ys = [
  [0.1, 1.9, 2.2, 4.1, 3.8, 0.3, -0.2],
  [2.1, 2.4, 0.2, 0.0, 4.4, 4.0, 1.8],
];

/** The HMM of `p` over the first T steps of `ys`, emissions sharing the memoised locs[z] and scales[z]. */
function hmm(T: number, masked?: (t: number) => boolean) {
  const [pi, A, locs, scales] = [tf.tensor1d(p.pi), tf.tensor2d(p.A), tf.variable(tf.tensor1d(p.locs)), tf.tensor1d(p.scales)];
  const obs = tf.tensor2d(ys.map((y) => y.slice(0, T)));
  const model: Model<[]> = function* () {
    yield* plate("seqs", 2, { dim: -1 }, function* () {
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", z!, ":")), en);
        const zt = z;
        const emit = function* () {
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", zt), vindex(scales, "...", zt)), { obs: obs.slice([0, t], [2, 1]).reshape([2]) });
        };
        yield* masked?.(t) ? mask(emit, false)() : emit();
      });
    });
  };
  return { model, locs };
}

function lossAndGrad(model: Model<[]>, locs: tf.Variable, fuseChains: boolean) {
  const elbo = new TraceEnumELBO({ maxPlateNesting: 1, fuseChains });
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, emptyGuide), [locs]);
  const out = { loss: value.dataSync()[0]!, grad: Array.from(grads[locs.name]!.dataSync()) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe("batched Normal emissions", () => {
  for (const T of [6, 7]) {
    it(`an HMM of length ${T}: the fused chain (woven rows${T % 2 ? ", concat fallback" : ""}) equals the generic path and a float64 forward algorithm`, () => {
      const { model, locs } = hmm(T);
      const fused = lossAndGrad(model, locs, true);
      const generic = lossAndGrad(model, locs, false);
      const truth = ys.reduce((s, y) => s + forwardLogLik(y.slice(0, T), p), 0);
      expect(relErr(-fused.loss, truth)).toBeLessThan(1e-5);
      expect(relErr(generic.loss, fused.loss)).toBeLessThan(1e-5);
      const scale = Math.max(...generic.grad.map(Math.abs));
      fused.grad.forEach((g, i) => expect(Math.abs(g - generic.grad[i]!) / scale).toBeLessThan(1e-4));
    });
  }

  it("the sites of one markov parity form one batch; a masked site is left out of it", () => {
    const { model } = hmm(6, (t) => t === 4);
    // inside a loss call (its step cache), as the ELBO runs it: each parity's locs[z] is one tensor
    const groups = withStepCache(() => tf.tidy(() => {
      const messenger = new EnumMessenger(-2);
      const tr = trace(withHandler(model, () => messenger)).getTrace();
      const batched = batchedLogProbs(tr);
      const sources = [...new Set([...batched.values()].map((b) => b.batch))];
      return sources.map((rows) => [...batched].filter(([, b]) => b.batch === rows).map(([name, b]) => `${name}#${b.row}`));
    }));
    expect(groups).toEqual([["y_0#0", "y_2#1"], ["y_1#0", "y_3#1", "y_5#2"]]);
    const { model: m2, locs } = hmm(6, (t) => t === 4);
    const withMask = lossAndGrad(m2, locs, true);
    // the masked emission contributes nothing: the forward algorithm with y_4 left out of the likelihood
    const truth = ys.reduce((s, y) => {
      const pi = p.pi.map(Math.log);
      let alpha = pi.map((l, k) => l + normalLogPdf(y[0]!, p.locs[k]!, p.scales[k]!));
      for (let t = 1; t < 6; t++) {
        alpha = p.pi.map((_, j) => {
          const terms = alpha.map((a, i) => a + Math.log(p.A[i]![j]!));
          const m = Math.max(...terms);
          return m + Math.log(terms.reduce((acc, x) => acc + Math.exp(x - m), 0)) + (t === 4 ? 0 : normalLogPdf(y[t]!, p.locs[j]!, p.scales[j]!));
        });
      }
      const m = Math.max(...alpha);
      return s + m + Math.log(alpha.reduce((acc, x) => acc + Math.exp(x - m), 0));
    }, 0);
    expect(relErr(-withMask.loss, truth)).toBeLessThan(1e-5);
  });

  it("a site whose value does not broadcast is reported by name, not swallowed by the batching", () => {
    const loc = tf.tensor1d([0.5, -0.5]);
    const sd = tf.tensor1d([1.2, 0.8]);
    function* model() {
      yield* plate("d", 2, function* () {
        yield* sample("x_0", dist.Normal(loc, sd), { obs: tf.tensor1d([0.1, 0.2]) });
        yield* sample("x_1", dist.Normal(loc, sd), { obs: tf.tensor1d([0.1, 0.2, 0.3]) });
      });
    }
    const err = errorOf(() => new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide));
    expect(err.message).toContain("'x_1'");
  });

  it("sites that depend on nothing enumerated: the same loss as TraceELBO", () => {
    const loc = tf.variable(tf.tensor1d([0.5, -0.5]));
    const sd = tf.tensor1d([1.2, 0.8]);
    function* model() {
      yield* plate("d", 2, function* () {
        for (let t = 0; t < 5; t++) yield* sample(`x_${t}`, dist.Normal(loc, sd), { obs: tf.tensor1d([t * 0.3, -t * 0.2]) });
      });
    }
    const a = new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide);
    const b = new TraceELBO().loss(model, emptyGuide);
    expect(relErr(a, b)).toBeLessThan(1e-6);
    const truth = [0, 1, 2, 3, 4].reduce((s, t) => s + normalLogPdf(t * 0.3, 0.5, 1.2) + normalLogPdf(-t * 0.2, -0.5, 0.8), 0);
    expect(relErr(-a, truth)).toBeLessThan(1e-6);
  });
});

/**
 * hmm.py's model_1 in small: x_t ~ Categorical(probs_x[x_{t-1}]) per sequence, tones
 * y_t ~ Bernoulli(probs_y[x_t]) in a tones plate, every step under the mask t < length.
 *
 *   plate sequences (dim -2) [ markov t [ x_t -> plate tones (dim -1) [ y_t ] ] ]
 */
describe("batched masked Bernoulli emissions", () => {
  const probsX = [[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.2, 0.2, 0.6]];
  const probsY = [[0.9, 0.1], [0.3, 0.6], [0.05, 0.8]];
  const tones = [
    [[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]],
    [[0, 1], [0, 0], [1, 1], [1, 0], [0, 1]],
  ];
  const lengths = [5, 3];
  const T = 5;

  function model() {
    const px = tf.tensor2d(probsX);
    const py = tf.variable(tf.tensor2d(probsY));
    const data = tf.tensor3d(tones);
    const lens = tf.tensor1d(lengths);
    const m: Model<[]> = function* () {
      yield* plate("sequences", 2, { dim: -2 }, function* () {
        let x: tf.Tensor | number = 0;
        yield* markov(range(T), function* (t) {
          yield* mask(tf.less(t, lens).expandDims(-1), function* () {
            x = yield* sample(`x_${t}`, dist.Categorical(vindex(px, x)), en);
            const xt = x.rank === 0 ? x : x.squeeze([x.rank - 1]);
            yield* plate("tones", 2, { dim: -1 }, function* () {
              yield* sample(`y_${t}`, dist.Bernoulli(vindex(py, xt)), { obs: data.slice([0, t, 0], [2, 1, 2]).reshape([2, 2]) });
            });
          });
        });
      });
    };
    return { m, py };
  }

  /** Brute force over every path of each sequence's first `length` states, in float64. */
  const truth = (py: number[][]) =>
    tones.reduce((sum, seq, s) => sum + bruteForce(new Array<number>(lengths[s]!).fill(3), (xs) => {
      let lp = 0;
      xs.forEach((x, t) => {
        lp += Math.log(probsX[t === 0 ? 0 : xs[t - 1]!]![x]!);
        seq[t]!.forEach((y, d) => (lp += Math.log(y === 1 ? py[x]![d]! : 1 - py[x]![d]!)));
      });
      return lp;
    }), 0);

  it("the emissions of one parity form one batch, masks and all", () => {
    const { m } = model();
    const groups = withStepCache(() => tf.tidy(() => {
      const tr = trace(withHandler(m, () => new EnumMessenger(-3))).getTrace();
      const batched = batchedLogProbs(tr);
      const sources = [...new Set([...batched.values()].map((b) => b.batch))];
      return sources.map((rows) => [...batched].filter(([, b]) => b.batch === rows).map(([name, b]) => `${name}#${b.row}`));
    }));
    expect(groups).toEqual([["y_0#0", "y_2#1", "y_4#2"], ["y_1#0", "y_3#1"]]);
  });

  it("loss and gradient in probs_y equal a float64 brute force over the unmasked steps", () => {
    const { m, py } = model();
    const elbo = new TraceEnumELBO({ maxPlateNesting: 2 });
    const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(m, emptyGuide), [py]);
    expect(relErr(-value.dataSync()[0]!, truth(probsY))).toBeLessThan(1e-5);
    const g = Array.from(grads[py.name]!.dataSync());
    const h = 1e-6;
    probsY.flat().forEach((v, i) => {
      const bump = (d: number) => probsY.map((row, r) => row.map((q, c) => (r * 2 + c === i ? q + d : q)));
      const fd = -(truth(bump(h)) - truth(bump(-h))) / (2 * h);
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fd)));
    });
    tf.dispose([value, ...Object.values(grads)]);
  });
});

/** Written as a user writes one (examples/custom-distribution): no batching hook, no registration. */
class Laplace2 extends Distribution {
  readonly name = "Laplace2";
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = constraints.real;
  constructor(readonly loc: tf.Tensor, readonly scale: number) {
    super();
    this.batchShape = loc.shape;
  }
  sample(): tf.Tensor {
    throw new Error("not needed here");
  }
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => value.sub(this.loc).abs().div(-this.scale).sub(Math.log(2 * this.scale)));
  }
}

describe("a user-written emission distribution (no hook)", () => {
  it("an enumerated HMM with its emissions: the same loss as a float64 brute force", () => {
    const A = [[0.8, 0.2], [0.3, 0.7]];
    const locs = [-1, 1.5];
    const ys = [-0.7, 1.2, 2.0, -1.5, 0.1];
    const [pA, pl] = [tf.tensor2d(A), tf.tensor1d(locs)];
    const m: Model<[]> = function* () {
      let z: tf.Tensor | undefined;
      yield* markov(range(ys.length), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? tf.tensor1d([0.5, 0.5]) : vindex(pA, "...", z!, ":")), en);
        yield* sample(`y_${t}`, new Laplace2(vindex(pl, "...", z), 0.8), { obs: tf.scalar(ys[t]!) });
      });
    };
    const loss = new TraceEnumELBO({ maxPlateNesting: 0 }).loss(m, emptyGuide);
    const laplace = (y: number, mu: number) => -Math.abs(y - mu) / 0.8 - Math.log(1.6);
    const want = bruteForce(ys.map(() => 2), (zs) =>
      zs.reduce((lp, z, t) => lp + Math.log(t === 0 ? 0.5 : A[zs[t - 1]!]![z]!) + laplace(ys[t]!, locs[z]!), 0));
    expect(relErr(-loss, want)).toBeLessThan(1e-5);
  });
});
