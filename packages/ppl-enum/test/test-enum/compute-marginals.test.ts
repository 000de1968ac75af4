// TraceEnumELBO.computeMarginals (Pyro's TraceEnum_ELBO.compute_marginals): Pyro's
// test_compute_marginals_* (tests/infer/test_enum.py) ported, each marginal checked
// against a float64 truth written out here (a brute-force sum over every joint
// assignment, or a float64 forward–backward pass), plus plates and vectorizedMarkov.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Bernoulli, Categorical, OneHotCategorical, PPLConfigError, PPLModelError, dist, markov, plate, range, sample, vectorizedMarkov, vindex,
} from "ppl-core";
import type { Distribution, Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { assignments, logSumExp, normalLogPdf } from "../helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
const seq = { infer: { enumerate: "sequential" as const } };
function* emptyGuide() {}

const probsOf = (d: Distribution | undefined): number[] => {
  if (d instanceof Bernoulli || d instanceof Categorical || d instanceof OneHotCategorical) return Array.from(d.probs.dataSync());
  throw new Error(`not a Bernoulli, Categorical or OneHotCategorical: ${String(d)}`);
};
const expectClose = (actual: number[], expected: number[], tol = 2e-5) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThan(tol));
};
const normalise = (logw: number[]) => {
  const z = logSumExp(logw);
  return logw.map((l) => Math.exp(l - z));
};

describe("test_compute_marginals_single", () => {
  const data = [0, 0.1, 0.2, 0.9, 1.0, 1.1];
  const locs = [-1, 0, 1, 2];
  const cases: [string, number[]][] = [
    ["Bernoulli", [0.2]],
    ["Categorical", [0.2, 0.8]],
    ["Categorical", [0.2, 0.3, 0.5]],
    ["Categorical", [0.2, 0.3, 0.3, 0.2]],
    ["OneHotCategorical", [0.2, 0.8]],
    ["OneHotCategorical", [0.2, 0.3, 0.5]],
    ["OneHotCategorical", [0.2, 0.3, 0.3, 0.2]],
  ];
  const make = (family: string, probs: tf.Tensor): Distribution =>
    family === "Bernoulli" ? dist.Bernoulli(probs) : family === "Categorical" ? dist.Categorical({ logits: probs.log() }) : dist.OneHotCategorical({ logits: probs.log() });
  const index = (family: string, x: tf.Tensor) => (family === "OneHotCategorical" ? x.argMax(-1) : x.toInt());
  for (const [family, prior] of cases) {
    it(`${family}(${prior.join(", ")})`, () => {
      const model = () => function* () {
        const x = yield* sample("x", make(family, tf.tensor(prior.length === 1 ? prior[0]! : prior)), en);
        yield* plate("data", data.length, function* () {
          yield* sample("obs", dist.Normal(vindex(tf.tensor1d(locs), index(family, x)), 1), { obs: data });
        });
      };
      const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
      const marginals = elbo.computeMarginals(model(), emptyGuide);
      expect([...marginals.keys()]).toEqual(["x"]);
      const d = marginals.get("x")!;
      expect(d.constructor.name).toBe(family);
      // float64: P(x = k | data) ∝ prior_k Π_n N(data_n; locs_k, 1)
      const values = family === "Bernoulli" ? [1 - prior[0]!, prior[0]!] : prior;
      const post = normalise(values.map((p, k) => Math.log(p) + data.reduce((s, y) => s + normalLogPdf(y, locs[k]!, 1), 0)));
      const probs = probsOf(d);
      expect(d.batchShape).toEqual([]);
      expectClose(probs, family === "Bernoulli" ? [post[1]!] : post);

      // Pyro's second half: the marginals put in an enumerating guide are the exact posterior, so d loss / d guide probs = 0
      const guideProbs = tf.tensor(probs.length === 1 ? probs[0]! : probs);
      const grad = tf.grad((p: tf.Tensor) => elbo.differentiableLoss(model(), function* () {
        yield* sample("x", make(family, p), en);
      }))(guideProbs);
      grad.dataSync().forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-4));
    });
  }
});

describe("test_compute_marginals_restrictions", () => {
  // obs = w + x + y + z observed under Normal(0, 1): w and y are the guide's draws, x and z the model's enumerated sites
  const priors = { w: 0.1, x: 0.2, y: 0.3, z: 0.4 };
  const model = function* () {
    const w = yield* sample("w", dist.Bernoulli(priors.w), en);
    const x = yield* sample("x", dist.Bernoulli(priors.x), en);
    const y = yield* sample("y", dist.Bernoulli(priors.y), en);
    const z = yield* sample("z", dist.Bernoulli(priors.z), en);
    yield* sample("obs", dist.Normal(w.add(x).add(y).add(z), 1), { obs: 0 });
  };
  const guide = (infer: object) => function* () {
    yield* sample("w", dist.Bernoulli(0.4), infer);
    yield* sample("y", dist.Bernoulli(0.7), infer);
  };

  it("ok: no guide enumeration, one particle (the marginals given the guide's draw of w + y)", () => {
    const marginals = new TraceEnumELBO({ maxPlateNesting: 0 }).computeMarginals(model, guide({}));
    expect(new Set(marginals.keys())).toEqual(new Set(["x", "z"]));
    const px = probsOf(marginals.get("x"))[0]!;
    const pz = probsOf(marginals.get("z"))[0]!;
    // float64 for each possible guide draw s = w + y; the result must be one of them
    const truths = [0, 1, 2].map((s) => {
      const joint = [...assignments([2, 2])].map(([x, z]) => ({
        x: x!, z: z!,
        l: Math.log(x ? priors.x : 1 - priors.x) + Math.log(z ? priors.z : 1 - priors.z) + normalLogPdf(0, s + x! + z!, 1),
      }));
      const p = normalise(joint.map((j) => j.l));
      return [joint.reduce((a, j, i) => a + (j.x ? p[i]! : 0), 0), joint.reduce((a, j, i) => a + (j.z ? p[i]! : 0), 0)];
    });
    expect(truths.some(([tx, tz]) => Math.abs(px - tx!) < 1e-5 && Math.abs(pz - tz!) < 1e-5)).toBe(true);
  });

  for (const [name, infer] of [["sequential", seq], ["parallel", en]] as const) {
    it(`refused: guide enumeration (${name})`, () => {
      expect(() => new TraceEnumELBO({ maxPlateNesting: 0 }).computeMarginals(model, guide(infer))).toThrow(PPLModelError);
      expect(() => new TraceEnumELBO({ maxPlateNesting: 0 }).computeMarginals(model, guide(infer))).toThrow(/computeMarginals.*guide enumeration.*'w'/);
    });
  }
  for (const vectorizeParticles of [false, true]) {
    it(`refused: numParticles 2, vectorizeParticles ${vectorizeParticles}`, () => {
      const elbo = new TraceEnumELBO({ maxPlateNesting: 0, numParticles: 2, vectorizeParticles });
      expect(() => elbo.computeMarginals(model, guide({}))).toThrow(PPLConfigError);
      expect(() => elbo.computeMarginals(model, guide({}))).toThrow(/computeMarginals.*numParticles/);
    });
  }
});

/** Float64 forward–backward: p(x_t = k | everything) for a chain with unary log-potentials u[t][k] and log-transitions a[i][j]. */
function chainMarginals(u: number[][], a: number[][]): number[][] {
  const T = u.length;
  const K = u[0]!.length;
  const alpha: number[][] = [u[0]!.slice()];
  for (let t = 1; t < T; t++) alpha.push(Array.from({ length: K }, (_, j) => logSumExp(alpha[t - 1]!.map((al, i) => al + a[i]![j]!)) + u[t]![j]!));
  const beta: number[][] = new Array<number[]>(T);
  beta[T - 1] = new Array<number>(K).fill(0);
  for (let t = T - 2; t >= 0; t--) beta[t] = Array.from({ length: K }, (_, i) => logSumExp(beta[t + 1]!.map((b, j) => a[i]![j]! + u[t + 1]![j]! + b)));
  return alpha.map((al, t) => normalise(al.map((x, k) => x + beta[t]![k]!)));
}

describe("test_compute_marginals_hmm", () => {
  const trans = [[0.75, 0.25], [0.25, 0.75]];
  const emit = [[0.75, 0.25], [0.25, 0.75]];
  for (const size of [1, 2, 3, 4, 10, 20, 30]) {
    it(`size ${size}`, () => {
      const transT = tf.tensor2d(trans);
      const emitT = tf.tensor2d(emit);
      function* model(data: number[]) {
        let x: tf.Tensor = tf.scalar(0, "int32");
        yield* markov(range(data.length + 1), function* (i) {
          if (i < data.length) {
            x = yield* sample(`x_${i}`, dist.Categorical(vindex(transT, "...", x, ":")), en);
            yield* sample(`y_${i}`, dist.Categorical(vindex(emitT, "...", x, ":")), { obs: data[i]! });
          } else {
            yield* sample(`x_${i}`, dist.Categorical(vindex(transT, "...", x, ":")), { obs: 1 });
          }
        });
      }
      const data = new Array<number>(size).fill(0);
      const marginals = new TraceEnumELBO({ maxPlateNesting: 0 }).computeMarginals(model, function* () {}, data);
      expect(new Set(marginals.keys())).toEqual(new Set(data.map((_, i) => `x_${i}`)));
      for (const d of marginals.values()) expect(d.batchShape).toEqual([]);
      // x_{-1} = 0 and x_size = 1 observed: the first step's unary carries the transition out of 0, the last the one into 1
      const u = data.map((y, t) => [0, 1].map((k) => Math.log(emit[k]![y]!) + (t === 0 ? Math.log(trans[0]![k]!) : 0) + (t === size - 1 ? Math.log(trans[k]![1]!) : 0)));
      const truth = chainMarginals(u, trans.map((r) => r.map(Math.log)));
      data.forEach((_, i) => expectClose(probsOf(marginals.get(`x_${i}`)), truth[i]!));
      // Pyro's own check: P(x_i = 0) falls along the chain (strictly where float32 can tell: in the middle of
      // 30 steps neighbours differ by less than float32's resolution)
      for (let i = 0; i + 1 < size; i++) {
        const [now, next] = [probsOf(marginals.get(`x_${i}`))[0]!, probsOf(marginals.get(`x_${i + 1}`))[0]!];
        if (truth[i]![0]! - truth[i + 1]![0]! > 1e-5) expect(now).toBeGreaterThan(next);
        else expect(now).toBeGreaterThanOrEqual(next - 1e-6);
      }
    });
  }
});

describe("computeMarginals in plates and vectorizedMarkov", () => {
  const w = [0.3, 0.7];
  const mu = [-1, 1.5];
  const xs = [-1.2, 0.3, 2.0, 1.1, -0.4];

  it("a mixture in a plate: batch shape [N], each member's own posterior", () => {
    function* model() {
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(w), en);
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), c), 1), { obs: xs });
      });
    }
    const d = new TraceEnumELBO({ maxPlateNesting: 1 }).computeMarginals(model as Model<[]>, emptyGuide).get("c")!;
    expect(d.batchShape).toEqual([xs.length]);
    expectClose(probsOf(d), xs.flatMap((x) => normalise(w.map((wk, k) => Math.log(wk) + normalLogPdf(x, mu[k]!, 1)))));
  });

  it("a global variable and a local one in a plate at dim -2 (batch shapes [] and [N, 1])", () => {
    // z global, c_n | z in plate 'data' at dim -2, x_n | c_n observed: brute force over z and every c
    const N = 3;
    const pz = [0.4, 0.6];
    const pc = [[0.8, 0.2], [0.3, 0.7]];
    const x = xs.slice(0, N);
    function* model() {
      const z = yield* sample("z", dist.Categorical(pz), en);
      yield* plate("data", N, { dim: -2 }, function* () {
        const c = yield* sample("c", dist.Categorical(vindex(tf.tensor2d(pc), "...", z, ":")), en);
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), c), 1), { obs: tf.tensor2d(x, [N, 1]) });
      });
    }
    const marginals = new TraceEnumELBO({ maxPlateNesting: 2 }).computeMarginals(model as Model<[]>, emptyGuide);
    expect(marginals.get("z")!.batchShape).toEqual([]);
    expect(marginals.get("c")!.batchShape).toEqual([N, 1]);
    const joint = [...assignments([2, ...new Array<number>(N).fill(2)])].map((a) => ({
      a, l: Math.log(pz[a[0]!]!) + x.reduce((s, xn, n) => s + Math.log(pc[a[0]!]![a[n + 1]!]!) + normalLogPdf(xn, mu[a[n + 1]!]!, 1), 0),
    }));
    const p = normalise(joint.map((j) => j.l));
    const marg = (pos: number, k: number) => joint.reduce((s, j, i) => s + (j.a[pos] === k ? p[i]! : 0), 0);
    expectClose(probsOf(marginals.get("z")), [marg(0, 0), marg(0, 1)]);
    expectClose(probsOf(marginals.get("c")), x.flatMap((_, n) => [marg(n + 1, 0), marg(n + 1, 1)]));
  });

  it("vectorizedMarkov: step 0 and the vectorised steps against a float64 forward–backward", () => {
    const T = 5;
    const pi = [0.5, 0.3, 0.2];
    const A = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]];
    const locs = [0, 1.5, 3];
    const ys = [0.1, 1.4, 2.9, 0.2, 1.0];
    const Y = tf.tensor1d(ys);
    function* model() {
      let z: tf.Tensor | undefined;
      yield* vectorizedMarkov("time", T, { dim: -1 }, function* (t, i) {
        const probs = z === undefined ? tf.tensor1d(pi) : vindex(tf.tensor2d(A), "...", z, ":");
        z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(tf.tensor1d(locs), "...", z), 0.8), { obs: vindex(Y, i) });
      });
    }
    const marginals = new TraceEnumELBO({ maxPlateNesting: 1 }).computeMarginals(model as Model<[]>, emptyGuide);
    const names = [...marginals.keys()];
    expect(names.length).toBe(2);
    const u = ys.map((y, t) => locs.map((l, k) => normalLogPdf(y, l, 0.8) + (t === 0 ? Math.log(pi[k]!) : 0)));
    const truth = chainMarginals(u, A.map((r) => r.map(Math.log)));
    const first = marginals.get(names[0]!)!;
    const rest = marginals.get(names[1]!)!;
    expect(first.batchShape).toEqual([]);
    expect(rest.batchShape).toEqual([T - 1]);
    expectClose(probsOf(first), truth[0]!);
    expectClose(probsOf(rest), truth.slice(1).flat());
  });
});
