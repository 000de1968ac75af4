// The compiled loss with guides and models that draw: each draw's noise is an input of the program, made again
// from ppl's random stream on every replay. The model: mu ~ N(0, 1), x_i ~ N(mu, s); the guide
// q(mu) = N(loc, scale), drawn mu = loc + scale·ε. At a draw ε the single-particle loss is
//   L(ε) = −log N(mu; 0, 1) − Σ log N(x_i; mu, s) + log N(mu; loc, scale),  log N(mu; loc, scale) = −½ε² − log scale − ½ log 2π,
//   ∂L/∂loc = mu − Σ (x_i − mu)/s²,  ∂L/∂scale = ε ∂L/∂loc − 1/scale   (the total derivatives, mu moving with loc and scale),
// and its expectation over ε (the negative ELBO) is, in closed form,
//   E L = ½ log 2π + ½(loc² + scale²) + n(½ log 2π + log s) + Σ ((x_i − loc)² + scale²)/(2s²) − ½ log 2π − log scale − ½,
//   ∂/∂loc = loc − Σ (x_i − loc)/s²,  ∂/∂scale = scale + n·scale/s² − 1/scale.
// A replay that reused one draw would give the same numbers every step; these tests check each replayed step
// against the closed form at the noise it implies, the average of many replays against the closed-form
// expectation, and every step against the interpreted TraceELBO run from the same seed (the reference path:
// same kernels, so the same float32 numbers).
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  JitTraceELBO, type Model, SGD, SVI, TraceELBO, clearParamStore, dist, getParamStore, param, plate, sample, seed, setRngSeed,
} from "ppl-core";
import { restoreRngState, rngState } from "../../src/rng.js";
import { LOG_2PI, normalLogPdf } from "../helpers.js";

const XS = [1.2, 0.8, 1.5, 2.0, 1.1];
const S = 0.8;

function* model(x: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("obs", dist.Normal(mu, S), { obs: x });
  });
}

/** A reparameterised Normal guide; scale is a raw param (no constraint) so its gradient is ∂L/∂scale itself. */
function* guide(_x: tf.Tensor) {
  const loc = yield* param("loc", tf.scalar(0.3));
  const scale = yield* param("scale", tf.scalar(0.6));
  yield* sample("mu", dist.Normal(loc, scale));
}

const n = XS.length;
const sumX = XS.reduce((a, b) => a + b, 0);

/** L(ε) and its gradients in float64, from the formulas above. */
function atNoise(loc: number, scale: number, eps: number) {
  const mu = loc + scale * eps;
  const loss = -normalLogPdf(mu, 0, 1) - XS.reduce((a, x) => a + normalLogPdf(x, mu, S), 0) + (-0.5 * eps * eps - Math.log(scale) - 0.5 * LOG_2PI);
  const dLoc = mu - XS.reduce((a, x) => a + (x - mu) / (S * S), 0);
  return { loss, dLoc, dScale: eps * dLoc - 1 / scale };
}

/** The ε a step's ∂L/∂loc implies: mu (1 + n/s²) − Σx/s² = ∂L/∂loc. */
function impliedNoise(loc: number, scale: number, dLoc: number): number {
  const mu = (dLoc + sumX / (S * S)) / (1 + n / (S * S));
  return (mu - loc) / scale;
}

/** The negative ELBO and its gradients in closed form. */
function expected(loc: number, scale: number) {
  const loss = 0.5 * LOG_2PI + 0.5 * (loc * loc + scale * scale) + n * (0.5 * LOG_2PI + Math.log(S))
    + XS.reduce((a, x) => a + ((x - loc) ** 2 + scale * scale) / (2 * S * S), 0) - 0.5 * LOG_2PI - Math.log(scale) - 0.5;
  return { loss, dLoc: loc - XS.reduce((a, x) => a + (x - loc) / (S * S), 0), dScale: scale + (n * scale) / (S * S) - 1 / scale };
}

/** One loss call with the gradients in loc and (when the guide has it) scale; the first call creates the params. */
function lossAndGrads<A extends unknown[]>(elbo: TraceELBO, m: Model<A>, g: Model<A>, ...args: A) {
  if (!getParamStore().has("loc")) tf.tidy(() => elbo.differentiableLoss(m, g, ...args));
  const loc = getParamStore().unconstrained("loc");
  const scale = getParamStore().has("scale") ? getParamStore().unconstrained("scale") : undefined;
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(m, g, ...args), scale === undefined ? [loc] : [loc, scale]);
  const out = { loss: value.dataSync()[0]!, dLoc: grads[loc.name]!.dataSync()[0]!, dScale: scale === undefined ? NaN : grads[scale.name]!.dataSync()[0]! };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** SVI's losses and params over `steps` steps from `rngSeed`. */
function sviRun(elbo: TraceELBO, data: tf.Tensor, steps: number, rngSeed: number) {
  clearParamStore();
  setRngSeed(rngSeed);
  const svi = new SVI(model, guide, new SGD({ lr: 0.02 }), elbo);
  const out: { loss: number; loc: number; scale: number }[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = svi.step(data);
    out.push({ loss, loc: getParamStore().get("loc").dataSync()[0]!, scale: getParamStore().get("scale").dataSync()[0]! });
  }
  return out;
}

afterEach(() => {
  clearParamStore();
  vi.restoreAllMocks();
});

describe("JitTraceELBO: a guide that draws replays with fresh noise", () => {
  it("each replayed step's loss and gradients are the closed form at the noise they imply, and the noise changes every step", () => {
    setRngSeed(5);
    const data = tf.tensor1d(XS);
    const elbo = new JitTraceELBO();
    const noises: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = lossAndGrads(elbo, model, guide, data);
      const eps = impliedNoise(0.3, 0.6, r.dLoc);
      const truth = atNoise(0.3, 0.6, eps);
      expect(r.loss).toBeCloseTo(truth.loss, 3);
      expect(r.dScale).toBeCloseTo(truth.dScale, 3);
      noises.push(eps);
    }
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 5, interpreted: 0 });
    expect(new Set(noises.map((e) => e.toFixed(4))).size).toBe(6);
    data.dispose();
  });

  it("over SVI steps, losses and params equal the interpreted TraceELBO's from the same seed, bit for bit", () => {
    const warn = vi.spyOn(console, "warn");
    const data = tf.tensor1d(XS);
    const interpreted = sviRun(new TraceELBO(), data, 8, 21);
    const elbo = new JitTraceELBO();
    const compiled = sviRun(elbo, data, 8, 21);
    expect(compiled).toEqual(interpreted);
    // SVI made the params before its first step (not recorded), which recorded; steps 2–8 replayed
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 7, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    data.dispose();
  });

  it("the average of many replays is the closed-form negative ELBO and its gradient", () => {
    setRngSeed(9);
    const data = tf.tensor1d(XS);
    const elbo = new JitTraceELBO({ numParticles: 4, vectorizeParticles: true });
    const runs = 400;
    const sum = { loss: 0, dLoc: 0, dScale: 0 };
    const sq = { loss: 0, dLoc: 0, dScale: 0 };
    for (let i = 0; i < runs; i++) {
      const r = lossAndGrads(elbo, model, guide, data);
      for (const k of ["loss", "dLoc", "dScale"] as const) {
        sum[k] += r[k];
        sq[k] += r[k] * r[k];
      }
    }
    expect(elbo.compileStats.replayed).toBe(runs - 1);
    const truth = expected(0.3, 0.6);
    for (const k of ["loss", "dLoc", "dScale"] as const) {
      const mean = sum[k] / runs;
      const se = Math.sqrt((sq[k] / runs - mean * mean) / runs);
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(mean - truth[k]), k).toBeLessThan(4 * se);
    }
    data.dispose();
  });

  for (const vectorizeParticles of [false, true]) {
    it(`several particles (vectorizeParticles: ${vectorizeParticles}) replay the interpreted run from the same seed, bit for bit`, () => {
      const data = tf.tensor1d(XS);
      const interpreted = sviRun(new TraceELBO({ numParticles: 3, vectorizeParticles }), data, 6, 4);
      const elbo = new JitTraceELBO({ numParticles: 3, vectorizeParticles });
      const compiled = sviRun(elbo, data, 6, 4);
      expect(compiled).toEqual(interpreted);
      expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 5, interpreted: 0 });
      // and the loss is an average of three draws: its spread over steps is that of L(ε) over √3
      data.dispose();
    });
  }

  it("a call that rewinds the stream (as sequential enumeration does, to draw each branch alike) replays the same-seed interpreted run", () => {
    // the guide draws mu twice from the same place of the stream and averages: the two draws are equal, so the
    // loss is L(ε) at that one ε (checked by the closed form), and the stream moves on by one seed, not two
    function* twiceGuide(_x: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(0.3));
      const scale = yield* param("scale", tf.scalar(0.6));
      const at = rngState();
      const first = dist.Normal(loc, scale).sample();
      restoreRngState(at);
      const second = dist.Normal(loc, scale).sample();
      yield* sample("mu", dist.Delta(first.add(second).div(2)));
    }
    const data = tf.tensor1d(XS);
    const run = (elbo: TraceELBO) => {
      clearParamStore();
      setRngSeed(17);
      return [0, 1, 2, 3, 4].map(() => lossAndGrads(elbo, model, twiceGuide, data));
    };
    const interpreted = run(new TraceELBO());
    const elbo = new JitTraceELBO();
    const compiled = run(elbo);
    expect(compiled).toEqual(interpreted);
    // the first call made the params, the second recorded
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 4, interpreted: 0 });
    // a Delta guide at mu = loc + scale·ε: the loss is −log p(x, mu) (no log q), its loc gradient the closed form's first part
    for (const r of compiled) {
      const eps = impliedNoise(0.3, 0.6, r.dLoc);
      const truth = atNoise(0.3, 0.6, eps);
      expect(r.loss).toBeCloseTo(truth.loss - (-0.5 * eps * eps - Math.log(0.6) - 0.5 * LOG_2PI), 3);
    }
    expect(new Set(compiled.map((r) => r.loss.toFixed(5))).size).toBe(5);
    data.dispose();
  });

  it("a family whose sampler multiplies its noise by a JS number (HalfCauchy's tan(u·π/2)·scale) replays the same-seed interpreted run", () => {
    function* scaleModel(x: tf.Tensor) {
      const s = yield* sample("s", dist.HalfCauchy(1));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(0, s), { obs: x });
      });
    }
    function* scaleGuide(_x: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(0.8));
      yield* sample("s", dist.HalfCauchy(loc));
    }
    const data = tf.tensor1d(XS);
    const run = (elbo: TraceELBO) => {
      clearParamStore();
      setRngSeed(23);
      return [0, 1, 2, 3, 4].map(() => lossAndGrads(elbo, scaleModel, scaleGuide, data));
    };
    const elbo = new JitTraceELBO();
    const compiled = run(elbo);
    expect(compiled).toEqual(run(new TraceELBO()));
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 4, interpreted: 0 });
    expect(new Set(compiled.map((r) => r.loss)).size).toBe(5);
    data.dispose();
  });

  it("replayed steps leave no tensor behind", () => {
    setRngSeed(2);
    const data = tf.tensor1d(XS);
    const svi = new SVI(model, guide, new SGD({ lr: 0.01 }), new JitTraceELBO());
    svi.step(data);
    svi.step(data);
    const settled = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) svi.step(data);
    expect(tf.memory().numTensors).toBe(settled);
    data.dispose();
  });
});

describe("JitTraceELBO: a draw that is not reparameterised (a score-function estimator) replays", () => {
  // z ~ Bernoulli(0.3), x ~ N(2z, 1) at x = 1.5; the guide q(z = 1) = sigmoid(t). The negative ELBO in closed form,
  // −Σ_z q(z) (log p(z) + log N(x; 2z, 1) − log q(z)), and its derivative in t by central differences (float64)
  const X = 1.5;
  function* bernModel(x: tf.Tensor) {
    const z = yield* sample("z", dist.Bernoulli(0.3));
    yield* sample("obs", dist.Normal(z.mul(2), 1), { obs: x });
  }
  function* bernGuide(_x: tf.Tensor) {
    const t = yield* param("loc", tf.scalar(0.2));
    yield* sample("z", dist.Bernoulli({ logits: t }));
  }
  const negElbo = (t: number) => {
    const q1 = 1 / (1 + Math.exp(-t));
    return -[0, 1].reduce((acc, z) => {
      const q = z === 1 ? q1 : 1 - q1;
      return acc + q * (Math.log(z === 1 ? 0.3 : 0.7) + normalLogPdf(X, 2 * z, 1) - Math.log(q));
    }, 0);
  };

  it("equals the same-seed interpreted run, and the replays' average loss and gradient are the closed form's", () => {
    const data = tf.scalar(X);
    const run = (elbo: TraceELBO, calls: number) => {
      clearParamStore();
      setRngSeed(31);
      return Array.from({ length: calls }, () => lossAndGrads(elbo, bernModel, bernGuide, data));
    };
    const elbo = new JitTraceELBO();
    const compiled = run(elbo, 1000);
    expect(compiled.slice(0, 20)).toEqual(run(new TraceELBO(), 20));
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 999, interpreted: 0 });
    const h = 1e-5;
    const truth = { loss: negElbo(0.2), dLoc: (negElbo(0.2 + h) - negElbo(0.2 - h)) / (2 * h) };
    for (const k of ["loss", "dLoc"] as const) {
      const xs = compiled.map((r) => r[k]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length / xs.length);
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(mean - truth[k]), k).toBeLessThan(4 * se);
    }
    data.dispose();
  });
});

describe("JitTraceELBO: a subsampled plate replays with fresh indices", () => {
  // x_i = 2^i: a subset's sum names its members. MAP guide (Delta at loc), so the loss is
  // −log N(loc; 0, 1) − (N/B) Σ_{i in subset} log N(x_i; loc, 1) and ∂/∂loc = loc + (N/B) Σ_{subset} (loc − x_i).
  const N = 8;
  const B = 3;
  const xs = Array.from({ length: N }, (_, i) => 2 ** i);
  function* subModel(x: tf.Tensor) {
    const mu = yield* sample("mu", dist.Normal(0, 1));
    yield* plate("data", N, { subsampleSize: B }, function* (idx) {
      yield* sample("obs", dist.Normal(mu, 1), { obs: x.gather(idx) });
    });
  }
  function* mapGuide(_x: tf.Tensor) {
    const loc = yield* param("loc", tf.scalar(0.5));
    yield* sample("mu", dist.Delta(loc));
  }

  it("each replay's gradient names a subset of B members, its loss is that subset's closed form, and the subsets vary", () => {
    setRngSeed(13);
    const data = tf.tensor1d(xs);
    const elbo = new JitTraceELBO();
    const subsets = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = lossAndGrads(elbo, subModel, mapGuide, data);
      // Σ_{subset} x_i = B·loc − (∂/∂loc − loc)·B/N
      const subsetSum = Math.round(B * 0.5 - ((r.dLoc - 0.5) * B) / N);
      const members = xs.filter((x) => (subsetSum & x) !== 0);
      expect(members).toHaveLength(B);
      const loss = -normalLogPdf(0.5, 0, 1) - (N / B) * members.reduce((a, x) => a + normalLogPdf(x, 0.5, 1), 0);
      expect(r.loss).toBeCloseTo(loss, 1);
      expect(Math.abs(r.loss - loss) / Math.abs(loss)).toBeLessThan(1e-5);
      subsets.add(members.join(","));
    }
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 7, interpreted: 0 });
    expect(subsets.size).toBeGreaterThan(3);
    data.dispose();
  });
});

describe("JitTraceELBO: draws a replay cannot make again run interpreted, with a message", () => {
  it("a sampler written in JS (Gamma's) falls back: its replays would reuse one draw", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    setRngSeed(3);
    function* gammaGuide(_x: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(2));
      yield* sample("mu", dist.Gamma(loc, 1));
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    const values = [0, 1, 2].map(() => lossAndGrads(elbo, model, gammaGuide, data).loss);
    expect(new Set(values).size).toBe(3);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/JitTraceELBO runs this loss interpreted.*JS generator outside noise/);
  });

  it("a sampler that calls tfjs's random ops directly (not through noise) falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    setRngSeed(3);
    // a Normal whose draws of shape [3] come from tf.randomNormal with the site's seed, not from normalNoise
    function* directGuide(_x: tf.Tensor) {
      const loc = yield* param("loc", tf.zeros([3]));
      const d = dist.Normal(loc, 1).toEvent(1);
      const direct = Object.create(d) as typeof d;
      direct.sample = (shape: readonly number[] = [], seed?: number) => tf.randomNormal([...shape, 3], 0, 1, "float32", seed).add(loc);
      yield* sample("mu3", direct);
    }
    function* model3(x: tf.Tensor) {
      const mu = yield* sample("mu3", dist.Normal(0, 1).expand([3]).toEvent(1));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu.sum(), 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    const values = [0, 1, 2].map(() => lossAndGrads(elbo, model3, directGuide, data).loss);
    expect(new Set(values).size).toBe(3);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/tfjs's random ops called directly/);
  });

  it("a scalar site's sampler that calls tfjs's random ops directly falls back too (a scalar from JS values in a draw that made no noise)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    setRngSeed(3);
    function* directGuide(_x: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(0.2));
      const d = dist.Normal(loc, 1);
      const direct = Object.create(d) as typeof d;
      direct.sample = (_shape: readonly number[] = [], seed?: number) => tf.randomNormal([], 0, 1, "float32", seed).add(loc);
      yield* sample("mu", direct);
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    const values = [0, 1, 2].map(() => lossAndGrads(elbo, model, directGuide, data).loss);
    expect(new Set(values).size).toBe(3);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/tfjs's random ops called directly/);
  });

  it("a draw read in JS falls back: it could steer control flow", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    setRngSeed(3);
    // the guide draws z from a fixed Normal (noise alone, no param) and the model branches on it
    function* zGuide(x: tf.Tensor) {
      yield* sample("z", dist.Normal(0, 1));
      yield* guide(x);
    }
    function* branchy(x: tf.Tensor) {
      const z = yield* sample("z", dist.Normal(0, 1));
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const s = z.dataSync()[0]! < 0 ? 1 : 2;
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, s), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    for (let i = 0; i < 3; i++) lossAndGrads(elbo, branchy, zGuide, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/read a value that depends on a draw/);
  });

  it("noise from a seed handler's seeds (not the stream's) falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const seeded = seed(guide, 7);
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    for (let i = 0; i < 3; i++) lossAndGrads(elbo, model, seeded, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/seed that ppl's random stream did not give/);
  });

  it("a sequential plate's subsample is read in JS: falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    setRngSeed(3);
    function* seqModel(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      yield* plate("data", 4, { subsampleSize: 2, sequential: true }, function* (i) {
        yield* sample(`obs_${i}`, dist.Normal(mu, 1), { obs: x.gather([i]).reshape([]) });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3, 4]);
    for (let i = 0; i < 3; i++) lossAndGrads(elbo, seqModel, guide, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/depends on a draw/);
  });
});
