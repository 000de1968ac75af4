// TraceEnumELBO on small models against a brute-force sum over every joint
// assignment, written out here in float64 (Pyro's test_enum as a checklist),
// and its gradients against central finite differences.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, mask, plate, range, sample, scale, seed, trace, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { bruteForce, logSumExp, normalLogPdf, relErr } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const elboOf = (model: Model<[]>, guide: Model<[]> = emptyGuide, maxPlateNesting?: number) =>
  -new TraceEnumELBO(maxPlateNesting === undefined ? {} : { maxPlateNesting }).loss(model, guide);
const f32 = (xs: number[]) => Array.from(new Float32Array(xs));
const lg = Math.log;

const w = [0.3, 0.7];
const mu = [-1, 1.5];
const xs = [-1.2, 0.3, 2.0, 1.1, -0.4];

describe("TraceEnumELBO equals brute-force enumeration", () => {
  it("mixture in a plate (test_elbo_enumerate_plate_1)", () => {
    function* model() {
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(w), en);
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", c), 1), { obs: xs });
      });
    }
    const truth = xs.reduce((s, x) => s + logSumExp(w.map((wk, k) => lg(wk) + normalLogPdf(x, mu[k]!, 1))), 0);
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("a global discrete variable shared by a plate", () => {
    function* model() {
      const z = yield* sample("z", dist.Categorical(w), en);
      yield* plate("data", xs.length, function* () {
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", z), 1), { obs: xs });
      });
    }
    const truth = bruteForce([2], ([z]) => lg(w[z!]!) + xs.reduce((s, x) => s + normalLogPdf(x, mu[z!]!, 1), 0));
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  const pi = [0.5, 0.3, 0.2];
  const A = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]];
  const locs = [0, 1.5, 3];
  const hmmLogJoint = (y: number[], z: number[]) =>
    y.reduce((s, yt, t) => s + lg(t === 0 ? pi[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, locs[z[t]!]!, 0.8), 0);
  function* hmmBody(ys: number[][]) {
    const S = ys.length;
    let z: tf.Tensor | undefined;
    yield* markov(range(ys[0]!.length), function* (t) {
      z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? tf.tensor1d(pi) : vindex(tf.tensor2d(A), "...", z!, ":")), en);
      const obs = ys.map((y) => y[t]!);
      yield* sample(`y_${t}`, dist.Normal(vindex(tf.tensor1d(locs), "...", z), 0.8), { obs: S === 1 ? obs[0]! : obs });
    });
  }
  for (const T of [2, 3, 4, 5, 6]) {
    it(`HMM of length ${T} with markov (test_elbo_hmm_in_model)`, () => {
      const y = Array.from({ length: T }, (_, t) => 1.5 * Math.cos(t) + 1);
      const truth = bruteForce(new Array<number>(T).fill(3), (z) => hmmLogJoint(y, z));
      expect(relErr(elboOf(() => hmmBody([y])), truth)).toBeLessThan(1e-5);
    });
  }

  it("HMM in a plate of sequences", () => {
    const ys = [[0.1, 1.4, 2.9, 0.2], [3.1, 2.2, 1.0, 1.7], [0.0, 0.5, 0.4, 2.8]];
    const model = () => plate("seqs", 3, function* () {
      yield* hmmBody(ys);
    });
    const truth = ys.reduce((s, y) => s + bruteForce([3, 3, 3, 3], (z) => hmmLogJoint(y, z)), 0);
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("nested plates: a variable per outer member shared by the inner plate", () => {
    const x = [[0.2, -0.9, 1.1], [1.8, 2.2, 0.9]];
    function* model() {
      yield* plate("groups", 2, { dim: -2 }, function* () {
        const z = yield* sample("z", dist.Categorical(w), en);
        yield* plate("items", 3, { dim: -1 }, function* () {
          yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", z), 1), { obs: x });
        });
      });
    }
    const truth = x.reduce((s, row) => s + bruteForce([2], ([z]) => lg(w[z!]!) + row.reduce((a, v) => a + normalLogPdf(v, mu[z!]!, 1), 0)), 0);
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
    expect(relErr(elboOf(model, emptyGuide, 2), truth)).toBeLessThan(1e-5);
  });

  it("a global variable and a local one depending on it (test_elbo_enumerate_plate_3)", () => {
    const P = [[0.8, 0.2], [0.25, 0.75]];
    function* model() {
      const z = yield* sample("z", dist.Categorical(w), en);
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(vindex(tf.tensor2d(P), "...", z, ":")), en);
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", c), 1), { obs: xs });
      });
    }
    const truth = bruteForce([2], ([z]) =>
      lg(w[z!]!) + xs.reduce((s, x) => s + logSumExp([0, 1].map((c) => lg(P[z!]![c]!) + normalLogPdf(x, mu[c]!, 1))), 0));
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("two chains (factorial HMM)", () => {
    const y = [0.3, 2.1, 1.2];
    const B = [[0.7, 0.3], [0.4, 0.6]];
    const C = [[0.9, 0.1], [0.2, 0.8]];
    const m1 = [0, 1];
    const m2 = [0, 0.5];
    function* model() {
      let a: tf.Tensor | undefined;
      let b: tf.Tensor | undefined;
      yield* markov(range(3), function* (t) {
        a = yield* sample(`a_${t}`, dist.Categorical(t === 0 ? tf.tensor1d(w) : vindex(tf.tensor2d(B), "...", a!, ":")), en);
        b = yield* sample(`b_${t}`, dist.Categorical(t === 0 ? tf.tensor1d(w) : vindex(tf.tensor2d(C), "...", b!, ":")), en);
        const loc = vindex(tf.tensor1d(m1), "...", a).add(vindex(tf.tensor1d(m2), "...", b));
        yield* sample(`y_${t}`, dist.Normal(loc, 0.7), { obs: y[t]! });
      });
    }
    const truth = bruteForce([2, 2, 2, 2, 2, 2], (z) => {
      let s = 0;
      for (let t = 0; t < 3; t++) {
        const [a, b] = [z[2 * t]!, z[2 * t + 1]!];
        s += t === 0 ? lg(w[a]!) + lg(w[b]!) : lg(B[z[2 * t - 2]!]![a]!) + lg(C[z[2 * t - 1]!]![b]!);
        s += normalLogPdf(y[t]!, m1[a]! + m2[b]!, 0.7);
      }
      return s;
    });
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("a variable depending on two earlier ones, history 2", () => {
    const y = [0.2, 1.1, 0.8, 1.9, 0.1];
    const P3 = [[[0.7, 0.3], [0.4, 0.6]], [[0.5, 0.5], [0.1, 0.9]]];
    function* model() {
      const zs: tf.Tensor[] = [];
      yield* markov(range(y.length), function* (t) {
        const probs = t < 2 ? tf.tensor1d(w) : vindex(tf.tensor3d(P3), "...", zs[t - 2]!, zs[t - 1]!, ":");
        const z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
        zs.push(z);
        yield* sample(`y_${t}`, dist.Normal(vindex(tf.tensor1d(mu), "...", z), 1), { obs: y[t]! });
      }, { history: 2 });
    }
    const truth = bruteForce(new Array<number>(y.length).fill(2), (z) =>
      y.reduce((s, yt, t) => s + lg(t < 2 ? w[z[t]!]! : P3[z[t - 2]!]![z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, mu[z[t]!]!, 1), 0));
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("two markov loops one after the other recycle the same dims", () => {
    const y = [[0.1, 1.9, 2.8], [2.5, 0.3, 0.2]];
    function* model() {
      for (const [i, name] of ["a", "b"].entries()) yield* renamed(name, y[i]!);
    }
    function* renamed(name: string, ys: number[]) {
      let z: tf.Tensor | undefined;
      yield* markov(range(ys.length), function* (t) {
        z = yield* sample(`${name}${t}`, dist.Categorical(t === 0 ? tf.tensor1d(pi) : vindex(tf.tensor2d(A), "...", z!, ":")), en);
        yield* sample(`y${name}${t}`, dist.Normal(vindex(tf.tensor1d(locs), "...", z), 0.8), { obs: ys[t]! });
      });
    }
    const truth = y.reduce((s, ys) => s + bruteForce([3, 3, 3], (z) => hmmLogJoint(ys, z)), 0);
    expect(relErr(elboOf(model), truth)).toBeLessThan(1e-5);
  });

  it("scaled and masked sites: the common scale is taken outside, masked observations drop out", () => {
    const keep = [true, false, true, true, false];
    function* model() {
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(w), en);
        yield* mask(function* () {
          yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", c), 1), { obs: xs });
        }, tf.tensor1d(keep.map(Number), "bool"))();
      });
    }
    const scaled = scale(model, 2.5);
    const truth = 2.5 * xs.reduce((s, x, i) =>
      s + logSumExp(w.map((wk, k) => lg(wk) + (keep[i] ? normalLogPdf(x, mu[k]!, 1) : 0))), 0);
    expect(relErr(elboOf(scaled), truth)).toBeLessThan(1e-5);
  });

  it("a guide with a Normal site on a global: ELBO = log p(mu) + log p(x | mu) - log q(mu) at the guide's draw", () => {
    function* model() {
      const m = yield* sample("m", dist.Normal(0, 2));
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(w), en);
        yield* sample("x", dist.Normal(vindex(tf.stack([m, m.add(1.5)]), "...", c), 1), { obs: xs });
      });
    }
    const guide = seed(function* () {
      yield* sample("m", dist.Normal(0.3, 0.5));
    }, 7);
    const mv = tf.tidy(() => trace(guide).getTrace().sampleSite("m").value.dataSync()[0]!);
    const truth = normalLogPdf(mv, 0, 2) - normalLogPdf(mv, 0.3, 0.5) +
      xs.reduce((s, x) => s + logSumExp(w.map((wk, k) => lg(wk) + normalLogPdf(x, mv + 1.5 * k, 1))), 0);
    expect(relErr(elboOf(model, guide, 1), truth)).toBeLessThan(1e-5);
  });

  it("a guide with a Delta site on a global simplex (AutoDelta-like): ELBO = log prior + log marginal likelihood", () => {
    const v = f32([0.2, 0.8]);
    function* model() {
      const probs = yield* sample("probs", dist.Dirichlet(tf.tensor1d([2, 3])));
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(probs), en);
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", c), 1), { obs: xs });
      });
    }
    function* guide() {
      yield* sample("probs", dist.Delta(tf.tensor1d(v), { eventDim: 1 }));
    }
    // Dirichlet(2, 3) density at v: Γ(5)/(Γ(2)Γ(3)) v0 v1^2 = 12 v0 v1^2
    const truth = lg(12 * v[0]! * v[1]! ** 2) +
      xs.reduce((s, x) => s + logSumExp(v.map((p, k) => lg(p) + normalLogPdf(x, mu[k]!, 1))), 0);
    expect(relErr(elboOf(model, guide), truth)).toBeLessThan(1e-5);
  });
});

/** Gradient of the loss w.r.t. a parameter vector theta, against central differences. */
function checkGrads(makeModel: (theta: tf.Tensor1D) => Model<[]>, theta0: number[], eps = 1e-2): void {
  const elbo = new TraceEnumELBO();
  const loss = (theta: tf.Tensor) => elbo.differentiableLoss(makeModel(theta as tf.Tensor1D), emptyGuide);
  const grad = tf.tidy(() => Array.from(tf.grad(loss)(tf.tensor1d(theta0)).dataSync()));
  const fd = theta0.map((_, i) => {
    const at = (d: number) => tf.tidy(() => loss(tf.tensor1d(theta0.map((t, j) => (j === i ? t + d : t)))).dataSync()[0]!);
    return (at(eps) - at(-eps)) / (2 * eps);
  });
  const scaleOf = Math.max(...fd.map(Math.abs), 1e-3);
  grad.forEach((g, i) => expect(Math.abs(g - fd[i]!) / scaleOf).toBeLessThan(1e-2));
  expect(Math.max(...grad.map(Math.abs))).toBeGreaterThan(1e-3);
}

describe("TraceEnumELBO gradients equal central finite differences", () => {
  it("hierarchical mixture: logits of the global and the component locations", () => {
    checkGrads((theta) => function* () {
      const z = yield* sample("z", dist.Categorical({ logits: theta.slice(0, 2) }), en);
      yield* plate("data", xs.length, function* () {
        const P = tf.tensor2d([[0.8, 0.2], [0.25, 0.75]]);
        const c = yield* sample("c", dist.Categorical(vindex(P, "...", z, ":")), en);
        yield* sample("x", dist.Normal(vindex(theta.slice(2, 2), "...", c), 1), { obs: xs });
      });
    }, [0.1, -0.3, -1, 1.5]);
  });

  it("HMM in a plate: transition logits and emission locations", () => {
    const ys = [[0.1, 1.4, 2.9, 0.2], [3.1, 2.2, 1.0, 1.7]];
    checkGrads((theta) => function* () {
      const trans = theta.slice(0, 4).reshape([2, 2]);
      const lc = theta.slice(4, 2);
      yield* plate("seqs", 2, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(4), function* (t) {
          const d = t === 0 ? dist.Categorical([0.5, 0.5]) : dist.Categorical({ logits: vindex(trans, "...", z!, ":") });
          z = yield* sample(`z_${t}`, d, en);
          yield* sample(`y_${t}`, dist.Normal(vindex(lc, "...", z), 1), { obs: ys.map((y) => y[t]!) });
        });
      });
    }, [0.5, -0.2, 0.1, 0.3, 0.4, 2.1]);
  });

  it("history-2 chain (indexing through the gather path)", () => {
    const y = [0.2, 1.1, 0.8, 1.9];
    checkGrads((theta) => function* () {
      const P3 = theta.reshape([2, 2, 2]);
      const zs: tf.Tensor[] = [];
      yield* markov(range(y.length), function* (t) {
        const d = t < 2 ? dist.Categorical(w) : dist.Categorical({ logits: vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":") });
        zs.push(yield* sample(`z_${t}`, d, en));
        yield* sample(`y_${t}`, dist.Normal(vindex(tf.tensor1d(mu), "...", zs[t]!), 1), { obs: y[t]! });
      }, { history: 2 });
    }, [0.3, -0.3, 0.2, 0.5, -0.1, 0.4, 0.9, -0.6]);
  });
});
