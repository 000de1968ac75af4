// vectorizedMarkov: the same body as a markov(range(T)) loop, run once for t = 0 and
// once for t = 1..T-1, summed out by one fused op over the time axis. Each case is
// checked against the loop form (generic, step-by-step contraction: loss to 1e-5
// relative, gradients to 1e-4 of the largest entry) and against a float64 brute force
// over every path (the loss to 1e-5 relative; for the cases below the first two, the
// gradients too, against central finite differences of that brute force).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  PPLConfigError, PPLModelError, PPLShapeError, TraceELBO, dist, markov, plate, range, sample, trace, vectorizedMarkov, vindex,
} from "ppl-core";
import type { InferConfig, Model, ModelGenerator } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { assignments, bruteForce, errorOf, loadJSON, logSumExp, normalLogPdf, relErr } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}

type Body = (t: number | string, i: number | tf.Tensor) => ModelGenerator<unknown>;
type Form = "loop" | "vectorized";

/** The chain over T steps written either way; the body cannot tell them apart. */
function* chain(form: Form, T: number, body: Body): ModelGenerator<void> {
  if (form === "loop") yield* markov(range(T), (t) => body(t, t));
  else yield* vectorizedMarkov("time", T, { dim: -2 }, (t, i) => body(String(t), i));
}

function lossAndGrads(model: Model<[]>, vars: tf.Variable[], maxPlateNesting: number, fuseChains: boolean) {
  const elbo = new TraceEnumELBO({ maxPlateNesting, fuseChains });
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, emptyGuide), vars);
  const out = { loss: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** The vectorised form against the loop form contracted step by step. */
function expectSameAsLoop(makeModel: (form: Form) => Model<[]>, vars: tf.Variable[], maxPlateNesting = 2): number {
  const vec = lossAndGrads(makeModel("vectorized"), vars, maxPlateNesting, true);
  const loop = lossAndGrads(makeModel("loop"), vars, maxPlateNesting, false);
  expect(Number.isFinite(vec.loss)).toBe(true);
  expect(relErr(vec.loss, loop.loss)).toBeLessThan(1e-5);
  const scale = Math.max(1e-6, ...loop.grads.flat().map(Math.abs));
  vec.grads.forEach((g, i) => g.forEach((x, j) => expect(Math.abs(x - loop.grads[i]![j]!) / scale).toBeLessThan(1e-4)));
  return vec.loss;
}

/**
 * The vectorised form against a float64 brute force `logLik(params)` (log p(y), the values
 * of `vars` flattened in order): the loss is −log p(y), its gradient −∇ log p(y) by central
 * differences of the brute force (step 1e-5: error ~1e-10, far below float32's).
 */
function expectBruteForce(makeModel: (form: Form) => Model<[]>, vars: tf.Variable[], logLik: (params: number[]) => number, maxPlateNesting = 2): void {
  const vec = lossAndGrads(makeModel("vectorized"), vars, maxPlateNesting, true);
  const params = vars.flatMap((v) => Array.from(v.dataSync()));
  expect(relErr(-vec.loss, logLik(params))).toBeLessThan(1e-5);
  const h = 1e-5;
  const fd = params.map((_, k) => {
    const at = (d: number) => logLik(params.map((p, j) => (j === k ? p + d : p)));
    return -(at(h) - at(-h)) / (2 * h);
  });
  const scale = Math.max(1e-6, ...fd.map(Math.abs));
  vec.grads.flat().forEach((g, k) => expect(Math.abs(g - fd[k]!) / scale, `d loss / d param ${k}`).toBeLessThan(1e-3));
}

const lsm = (xs: readonly number[]) => xs.map((x) => x - logSumExp(xs));
const rows = (flat: readonly number[], n: number) => Array.from({ length: flat.length / n }, (_, i) => flat.slice(i * n, (i + 1) * n));

const Y = tf.tensor2d([[0.1, 1.4, 2.9, 0.2, 1.0], [3.1, 2.2, 1.0, 1.7, 0.3], [0.0, 0.5, 0.4, 2.8, 2.6]]); // [S=3, T=5]
const seqIdx = tf.range(0, 3, 1, "int32");

describe("vectorizedMarkov equals the markov loop", () => {
  it("an HMM in a plate, and a float64 brute force over every path", () => {
    const logitsInit = tf.variable(tf.tensor1d([0.2, -0.3, 0.5]));
    const trans = tf.variable(tf.tensor2d([[1.0, -0.5, 0.1], [0.2, 0.8, -1.0], [-0.3, 0.0, 1.2]]));
    const locs = tf.variable(tf.tensor1d([0, 1.5, 3]));
    const makeModel = (form: Form) => function* () {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        yield* chain(form, 5, function* (t, i) {
          const d = z === undefined ? dist.Categorical({ logits: logitsInit }) : dist.Categorical({ logits: vindex(trans, "...", z, ":") });
          z = yield* sample(`z_${t}`, d, en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 0.8), { obs: vindex(Y, seqIdx, i) });
        });
      });
    };
    const loss = expectSameAsLoop(makeModel, [logitsInit, trans, locs]);
    const pi = lsm(Array.from(logitsInit.dataSync()));
    const A = tf.unstack(trans).map((r) => lsm(Array.from(r.dataSync())));
    const mu = Array.from(locs.dataSync());
    const y = Y.arraySync();
    const truth = y.reduce((s, ys) => s + bruteForce(new Array<number>(5).fill(3), (z) =>
      ys.reduce((acc, yt, t) => acc + (t === 0 ? pi[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, mu[z[t]!]!, 0.8), 0)), 0);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("two chains in one body (a factorial HMM)", () => {
    const tz = tf.variable(tf.tensor2d([[1.0, -1.0], [-0.5, 0.7]]));
    const tw = tf.variable(tf.tensor2d([[0.3, 0.1, -0.4], [0.0, 1.0, 0.2], [-1.0, 0.4, 0.9]]));
    const lz = tf.variable(tf.tensor1d([0, 2]));
    const lw = tf.variable(tf.tensor1d([-1, 0.5, 1]));
    const makeModel = (form: Form) => function* () {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        let w: tf.Tensor | undefined;
        yield* chain(form, 5, function* (t, i) {
          z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? { logits: tf.zeros([2]) } : { logits: vindex(tz, "...", z, ":") }), en);
          w = yield* sample(`w_${t}`, dist.Categorical(w === undefined ? { logits: tf.zeros([3]) } : { logits: vindex(tw, "...", w, ":") }), en);
          const mean = vindex(lz, "...", z).add(vindex(lw, "...", w));
          yield* sample(`y_${t}`, dist.Normal(mean, 1), { obs: vindex(Y, seqIdx, i) });
        });
      });
    };
    // 4 enumerated dims left of 2 plates: Categorical params reach rank 7
    const loss = expectSameAsLoop(makeModel, [tz, tw, lz, lw]);
    const Az = (tz.arraySync() as number[][]).map(lsm);
    const Aw = (tw.arraySync() as number[][]).map(lsm);
    const [mz, mw] = [Array.from(lz.dataSync()), Array.from(lw.dataSync())];
    const truth = Y.arraySync().reduce((sum, ys) => sum + bruteForce([...new Array<number>(5).fill(2), ...new Array<number>(5).fill(3)], (a) => {
      const [z, w] = [a.slice(0, 5), a.slice(5)];
      return ys.reduce((acc, yt, t) => acc + (t === 0 ? -Math.log(2) - Math.log(3) : Az[z[t - 1]!]![z[t]!]! + Aw[w[t - 1]!]![w[t]!]!) +
        normalLogPdf(yt, mz[z[t]!]! + mw[w[t]!]!, 1), 0);
    }), 0);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("emissions in a plate inside the chain's (several channels per step)", () => {
    const trans = tf.variable(tf.tensor2d([[1.0, -1.0], [-0.5, 0.7]]));
    const locs = tf.variable(tf.tensor2d([[0, 2], [1, -1]])); // [state, channel]
    const Y3 = tf.stack([Y, Y.mul(0.5)], -1); // [S, T, 2 channels]
    const channels = tf.range(0, 2, 1, "int32");
    const makeModel = (form: Form) => function* () {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        yield* chain(form, 5, function* (t, i) {
          z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? { logits: tf.zeros([2]) } : { logits: vindex(trans, "...", z, ":") }), en);
          const zt = z;
          yield* plate("channels", 2, { dim: -3 }, function* () {
            const c = channels.reshape([2, 1, 1]);
            yield* sample(`y_${t}`, dist.Normal(vindex(locs, zt, c), 1), { obs: vindex(Y3, seqIdx, i, c) });
          });
        });
      });
    };
    expectSameAsLoop(makeModel, [trans, locs], 3);
    const y = Y.arraySync();
    expectBruteForce(makeModel, [trans, locs], (p) => {
      const A = rows(p.slice(0, 4), 2).map(lsm);
      const mu = rows(p.slice(4), 2); // [state][channel]
      return y.reduce((sum, ys) => sum + bruteForce(new Array<number>(5).fill(2), (z) =>
        ys.reduce((acc, yt, t) => acc + (t === 0 ? -Math.log(2) : A[z[t - 1]!]![z[t]!]!) +
          normalLogPdf(yt, mu[z[t]!]![0]!, 1) + normalLogPdf(0.5 * yt, mu[z[t]!]![1]!, 1), 0)), 0);
    }, 3);
  });

  it("a per-step mixture component enumerated beside the state", () => {
    const locs = tf.variable(tf.tensor1d([0, 2]));
    const mix = tf.variable(tf.tensor1d([0.3, -0.3]));
    const makeModel = (form: Form) => function* () {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        yield* chain(form, 5, function* (t, i) {
          const probs = z === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(tf.tensor2d([[0.7, 0.3], [0.2, 0.8]]), "...", z, ":");
          z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
          const c = yield* sample(`c_${t}`, dist.Categorical({ logits: mix }), en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z).add(c.toFloat().mul(0.5)), 1), { obs: vindex(Y, seqIdx, i) });
        });
      });
    };
    expectSameAsLoop(makeModel, [locs, mix]);
    const A = [[0.7, 0.3], [0.2, 0.8]].map((r) => r.map(Math.log));
    expectBruteForce(makeModel, [locs, mix], (p) => {
      const mu = p.slice(0, 2);
      const logMix = lsm(p.slice(2));
      // z_0..z_4 then c_0..c_4, each with 2 values: 1 024 paths per sequence
      return Y.arraySync().reduce((sum, ys) => sum + bruteForce(new Array<number>(10).fill(2), (a) =>
        ys.reduce((acc, yt, t) => acc + (t === 0 ? Math.log(0.5) : A[a[t - 1]!]![a[t]!]!) + logMix[a[5 + t]!]! +
          normalLogPdf(yt, mu[a[t]!]! + 0.5 * a[5 + t]!, 1), 0)), 0);
    });
  });

  it("a global enumerated variable used inside the chain", () => {
    const locs = tf.variable(tf.tensor1d([0, 2]));
    const makeModel = (form: Form) => function* () {
      const g = yield* sample("g", dist.Categorical([0.3, 0.7]), en);
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        yield* chain(form, 5, function* (t, i) {
          const probs = z === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(tf.tensor2d([[0.7, 0.3], [0.2, 0.8]]), "...", z, ":");
          z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z).add(g.toFloat()), 1), { obs: vindex(Y, seqIdx, i) });
        });
      });
    };
    expectSameAsLoop(makeModel, [locs]);
    const A = [[0.7, 0.3], [0.2, 0.8]].map((r) => r.map(Math.log));
    // g is shared by the three sequences: sum them out given g, then sum g out
    expectBruteForce(makeModel, [locs], (mu) => logSumExp([0, 1].map((g) => Math.log([0.3, 0.7][g]!) +
      Y.arraySync().reduce((sum, ys) => sum + bruteForce(new Array<number>(5).fill(2), (z) =>
        ys.reduce((acc, yt, t) => acc + (t === 0 ? Math.log(0.5) : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, mu[z[t]!]! + g, 1), 0)), 0))));
  });

  for (const T of [1, 2]) {
    it(`a chain of length ${T}`, () => {
      const locs = tf.variable(tf.tensor1d([0.5, 1.5]));
      const makeModel = (form: Form) => function* () {
        yield* plate("seqs", 3, { dim: -1 }, function* () {
          let z: tf.Tensor | undefined;
          yield* chain(form, T, function* (t, i) {
            const probs = z === undefined ? tf.tensor1d([0.4, 0.6]) : vindex(tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]), "...", z, ":");
            z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
            yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: vindex(Y, seqIdx, i) });
          });
        });
      };
      expectSameAsLoop(makeModel, [locs]);
      const [init, A] = [[0.4, 0.6].map(Math.log), [[0.9, 0.1], [0.2, 0.8]].map((r) => r.map(Math.log))];
      expectBruteForce(makeModel, [locs], (mu) => Y.arraySync().reduce((sum, ys) => sum + bruteForce(new Array<number>(T).fill(2), (z) =>
        ys.slice(0, T).reduce((acc, yt, t) => acc + (t === 0 ? init[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, mu[z[t]!]!, 1), 0)), 0));
    });
  }
});

/** A small HMM whose body can be varied to make each mistake. */
function hmm(body: (z: tf.Tensor | undefined, t: string, i: number | tf.Tensor) => ModelGenerator<tf.Tensor>, after?: (z: tf.Tensor) => ModelGenerator<unknown>) {
  return function* () {
    yield* plate("seqs", 3, { dim: -1 }, function* () {
      let z: tf.Tensor | undefined;
      yield* vectorizedMarkov("time", 5, { dim: -2 }, function* (t, i) {
        z = yield* body(z, String(t), i);
      });
      if (after !== undefined) yield* after(z!);
    });
  };
}

function* step(z: tf.Tensor | undefined, t: string, i: number | tf.Tensor, infer: { infer: InferConfig } = en) {
  const probs = z === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]), "...", z, ":");
  const zt = yield* sample(`z_${t}`, dist.Categorical(probs), infer);
  yield* sample(`y_${t}`, dist.Normal(vindex(tf.tensor1d([0, 2]), "...", zt), 1), { obs: vindex(Y, seqIdx, i) });
  return zt;
}

describe("vectorizedMarkov mistakes get clear errors", () => {
  const loss = (model: Model<[]>) => new TraceEnumELBO({ maxPlateNesting: 2 }).loss(model, emptyGuide);

  it("a latent site that is not enumerated", () => {
    const err = errorOf(() => loss(hmm((z, t, i) => step(z, t, i, { infer: {} }))));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("'z_0'");
    expect(err.message).toContain("enumerate");
  });

  it("under TraceELBO, with the guide supplying the states", () => {
    function* guide() {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        yield* sample("z_0", dist.Categorical([0.5, 0.5]));
        yield* plate("time", 4, { dim: -2 }, function* () {
          yield* sample("z_1:5", dist.Categorical([0.5, 0.5]));
        });
      });
    }
    const err = errorOf(() => new TraceELBO().loss(hmm((z, t, i) => step(z, t, i)), guide));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("vectorizedMarkov('time') is latent but not enumerated");
  });

  it("a state used after the chain (out of markov scope there)", () => {
    const after = function* (z: tf.Tensor) {
      yield* sample("w", dist.Normal(vindex(tf.tensor1d([0, 1]), "...", z), 1), { obs: tf.zeros([3]) });
    };
    const err = errorOf(() => loss(hmm((z, t, i) => step(z, t, i), after)));
    expect(err).toBeInstanceOf(PPLShapeError);
    expect(err.message).toContain("at site 'w'");
    expect(err.message).toContain("neither a plate of this site");
  });

  it("a body that enumerates different sites at t = 0 and later", () => {
    const body = function* (z: tf.Tensor | undefined, t: string, i: number | tf.Tensor) {
      const zt = yield* step(z, t, i);
      if (z === undefined) yield* sample(`extra_${t}`, dist.Categorical([0.5, 0.5]), en);
      return zt;
    };
    const err = errorOf(() => loss(hmm(body)));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("step 0 enumerates 'z_0' (size 2), 'extra_0' (size 2) but the vectorised steps enumerate 'z_1:5' (size 2)");
  });

  it("bad options, a dim taken by a plate, and nesting", () => {
    const withOptions = (options: object) => function* () {
      yield* vectorizedMarkov("time", 3, options as { dim: number }, function* () {});
    };
    const history = errorOf(() => loss(withOptions({ history: 2 })));
    expect(history).toBeInstanceOf(PPLConfigError);
    expect(history.message).toContain("vectorizedMarkov('time'): invalid options: history");
    expect(errorOf(() => loss(withOptions({ dimm: -1 })))).toBeInstanceOf(PPLConfigError);
    const size = errorOf(() => loss(function* () {
      yield* vectorizedMarkov("time", 0, {}, function* () {});
    }));
    expect(size.message).toContain("vectorizedMarkov('time'): size must be a positive integer, got 0");
    const clash = errorOf(() => loss(function* () {
      yield* plate("seqs", 3, { dim: -1 }, function* () {
        yield* vectorizedMarkov("time", 3, { dim: -1 }, function* () {});
      });
    }));
    expect(clash).toBeInstanceOf(PPLShapeError);
    expect(clash.message).toContain("plates 'seqs' and 'time' collide at dim=-1");
    const nested = errorOf(() => loss(function* () {
      yield* vectorizedMarkov("outer", 3, { dim: -1 }, function* (t) {
        yield* vectorizedMarkov("inner", 3, { dim: -2 }, function* (u) {
          yield* sample(`y_${t}_${u}`, dist.Normal(0, 1), { obs: 0 });
        });
      });
    }));
    expect(nested).toBeInstanceOf(PPLModelError);
    expect(nested.message).toContain("vectorizedMarkov('inner') is nested inside vectorizedMarkov('outer')");
  });
});

describe("inferDiscrete decodes a vectorizedMarkov chain", () => {
  const golden = loadJSON<{ viterbi_test: { path: number[] } }>("golden_fixed_params.json");
  const test = loadJSON<{ y: number[]; z: number[] }>("seed_test_T160_seed77.json");
  const truth = loadJSON<{ pi_true: number[]; A_true: number[][]; mu_true: number[]; sd_true: number[] }>("true_params.json");

  /** One sequence, time on dim -1; or N copies of it in a plate with time on dim -2. */
  function hmmModel(p: { pi: number[]; A: number[][]; locs: number[]; scales: number[] }, y: number[], copies?: number) {
    const [pi, A, locs, scales] = [tf.tensor1d(p.pi), tf.tensor2d(p.A), tf.tensor1d(p.locs), tf.tensor1d(p.scales)];
    const yT = tf.tensor1d(y);
    const body = (zs: { z?: tf.Tensor }) => function* (t: 0 | { toString(): string }, i: 0 | tf.Tensor) {
      zs.z = yield* sample(`z_${t}`, dist.Categorical(zs.z === undefined ? pi : vindex(A, "...", zs.z, ":")), en);
      const obs = copies === undefined ? vindex(yT, i) : vindex(yT, i).add(tf.zeros([copies]));
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", zs.z), vindex(scales, "...", zs.z)), { obs });
    };
    return function* () {
      if (copies === undefined) yield* vectorizedMarkov("time", y.length, { dim: -1 }, body({}));
      else yield* plate("copies", copies, { dim: -1 }, () => vectorizedMarkov("time", y.length, { dim: -2 }, body({})));
    };
  }

  it("temperature 0: the seed test sequence (T=160) decodes to Pyro's Viterbi path", () => {
    const params = { pi: truth.pi_true, A: truth.A_true, locs: truth.mu_true, scales: truth.sd_true };
    const path = tf.tidy(() => {
      const tr = trace(inferDiscrete(hmmModel(params, test.y), { temperature: 0 })).getTrace();
      const rest = tr.sampleSite("z_1:160").value;
      expect(rest.shape).toEqual([159]);
      return [tr.sampleSite("z_0").value.dataSync()[0]!, ...Array.from(rest.dataSync())];
    });
    expect(path).toEqual(golden.viterbi_test.path);
  });

  it("temperature 1: sample frequencies match the exact posterior marginals and a pairwise joint (4 sigma)", () => {
    const p = { pi: [0.5, 0.3, 0.2], A: [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]], locs: [0, 1, 2], scales: [1, 1, 1] };
    const y = [0.4, 1.3, 1.1];
    const N = 4000;
    const logJoint = (z: number[]) => Math.log(p.pi[z[0]!]!) + y.reduce((s, yt, t) =>
      s + (t > 0 ? Math.log(p.A[z[t - 1]!]![z[t]!]!) : 0) + normalLogPdf(yt, p.locs[z[t]!]!, 1), 0);
    const paths = [...assignments([3, 3, 3])];
    const weights = paths.map((z) => Math.exp(logJoint(z)));
    const norm = weights.reduce((a, b) => a + b, 0);
    const draws = tf.tidy(() => {
      const tr = trace(inferDiscrete(hmmModel(p, y, N), { temperature: 1, seed: 3 })).getTrace();
      const first = Array.from(tr.sampleSite("z_0").value.dataSync());
      const rest = tr.sampleSite("z_1:3").value;
      expect(rest.shape).toEqual([2, N]);
      const r = rest.arraySync() as number[][];
      return Array.from({ length: N }, (_, i) => [first[i]!, r[0]![i]!, r[1]![i]!]);
    });
    const check = (event: (z: number[]) => boolean) => {
      const exact = paths.reduce((s, z, k) => s + (event(z) ? weights[k]! / norm : 0), 0);
      const hits = draws.filter(event).length;
      expect(Math.abs(hits / N - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / N) + 1e-9);
    };
    for (let t = 0; t < 3; t++) for (let k = 0; k < 3; k++) check((z) => z[t] === k);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) check((z) => z[0] === a && z[2] === b);
  });

  /**
   * A regime c (enumerated, outside the chain) sets the emission locations:
   * the chain's result depends on c, so it is one more factor of the plan and
   * the backward pass decides c before the chain. In a plate of N copies (time
   * on dim -2) for sampling, one sequence (time on dim -1) for MAP.
   */
  function regimeModel(y: number[], copies?: number) {
    const [prior, A, locs] = [tf.tensor1d([0.5, 0.5]), tf.tensor2d([[0.7, 0.3], [0.4, 0.6]]), tf.tensor2d([[0, 1], [2, -1]])];
    const yT = tf.tensor1d(y);
    const body = (c: tf.Tensor, zs: { z?: tf.Tensor }) => function* (t: 0 | { toString(): string }, i: 0 | tf.Tensor) {
      zs.z = yield* sample(`z_${t}`, dist.Categorical(zs.z === undefined ? tf.tensor1d([0.5, 0.5]) : vindex(A, "...", zs.z, ":")), en);
      const obs = copies === undefined ? vindex(yT, i) : vindex(yT, i).add(tf.zeros([copies]));
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, c, zs.z), 1), { obs });
    };
    return function* () {
      if (copies === undefined) {
        const c = yield* sample("c", dist.Categorical(prior), en);
        yield* vectorizedMarkov("time", y.length, { dim: -1 }, body(c, {}));
      } else {
        yield* plate("copies", copies, { dim: -1 }, function* () {
          const c = yield* sample("c", dist.Categorical(prior), en);
          yield* vectorizedMarkov("time", y.length, { dim: -2 }, body(c, {}));
        });
      }
    };
  }
  const regimeY = [1.7, 0.2, -0.8, 1.1];
  const regimeLogJoint = (c: number, z: number[]) => {
    const A = [[0.7, 0.3], [0.4, 0.6]];
    const locs = [[0, 1], [2, -1]];
    return Math.log(0.5) + Math.log(0.5) + regimeY.reduce((s, yt, t) => s + (t > 0 ? Math.log(A[z[t - 1]!]![z[t]!]!) : 0) + normalLogPdf(yt, locs[c]![z[t]!]!, 1), 0);
  };

  it("temperature 0: a chain that depends on an enumerated variable outside it decodes to the brute-force joint argmax", () => {
    let best = -Infinity;
    let arg: number[] = [];
    for (const cz of assignments([2, 2, 2, 2, 2])) {
      const lp = regimeLogJoint(cz[0]!, cz.slice(1));
      if (lp > best) [best, arg] = [lp, cz];
    }
    const got = tf.tidy(() => {
      const tr = trace(inferDiscrete(regimeModel(regimeY), { temperature: 0 })).getTrace();
      return [tr.sampleSite("c").value, tr.sampleSite("z_0").value, tr.sampleSite("z_1:4").value].flatMap((v) => Array.from(v.dataSync()));
    });
    expect(got).toEqual(arg);
  });

  it("temperature 1: joint draws of the outer variable and the chain match the exact posterior (4 sigma, all 32 states)", () => {
    const N = 4000;
    const states = [...assignments([2, 2, 2, 2, 2])];
    const weights = states.map((cz) => Math.exp(regimeLogJoint(cz[0]!, cz.slice(1))));
    const norm = weights.reduce((a, b) => a + b, 0);
    const draws = tf.tidy(() => {
      const tr = trace(inferDiscrete(regimeModel(regimeY, N), { temperature: 1, seed: 9 })).getTrace();
      const c = Array.from(tr.sampleSite("c").value.dataSync());
      const z0 = Array.from(tr.sampleSite("z_0").value.dataSync());
      const rest = tr.sampleSite("z_1:4").value;
      expect(rest.shape).toEqual([3, N]);
      const r = rest.arraySync() as number[][];
      return Array.from({ length: N }, (_, i) => [c[i]!, z0[i]!, r[0]![i]!, r[1]![i]!, r[2]![i]!].join());
    });
    states.forEach((cz, k) => {
      const exact = weights[k]! / norm;
      const hits = draws.filter((d) => d === cz.join()).length;
      expect(Math.abs(hits / N - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / N) + 2e-3);
    });
  });
});
