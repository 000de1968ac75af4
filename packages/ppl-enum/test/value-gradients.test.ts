// Gradients with respect to observed and conditioned values (issue 22 item 2):
// every value that reaches a log-prob stays on the tape, on every route the
// enumeration takes (batched scoring of sites sharing a batch key, the markov
// loop fused or step by step, vectorizedMarkov, DiscreteHMM, guide-side and
// sequential enumeration, inferDiscrete). Each gradient is checked against a
// closed form or against central finite differences of a float64 brute-force
// sum over every joint assignment, written out here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { TraceELBO, condition, dist, markov, plate, range, sample, trace, vectorizedMarkov, vindex } from "ppl-core";
import type { ELBO, Model, ModelGenerator } from "ppl-core";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { bruteForce, normalLogPdf } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
const seq = { infer: { enumerate: "sequential" as const } };
function* emptyGuide() {}

/** d loss / d values, the loss built from the values by `makeModel`. */
function gradOfLoss(elbo: ELBO, values: number[], makeModel: (v: tf.Tensor) => Model<[]>, guide: Model<[]> = emptyGuide): number[] {
  return tf.tidy(() => {
    const g = tf.grad((v: tf.Tensor) => elbo.differentiableLoss(makeModel(v), guide))(tf.tensor1d(values));
    return Array.from(g.dataSync());
  });
}

/** Central differences of a float64 function of a vector. */
function finiteDiff(f: (x: number[]) => number, x: number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const up = [...x];
    const down = [...x];
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

function expectClose(actual: number[], expected: number[], tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!) / scale).toBeLessThan(tol));
}

describe("conditioned values sharing a batch key", () => {
  // issue 22's minimal case: -log N(a; 0, 1) has derivative a
  function* twoNormals() {
    yield* sample("a_0", dist.Normal(0, 1));
    yield* sample("a_1", dist.Normal(0, 1));
  }
  const conditioned = (v: tf.Tensor) => {
    const [a0, a1] = tf.unstack(v);
    return condition(twoNormals, { a_0: a0!, a_1: a1! });
  };

  it("TraceEnumELBO gives d(-log p)/da = a, as TraceELBO does", () => {
    expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 0 }), [0.5, -1], conditioned), [0.5, -1], 1e-6);
    expectClose(gradOfLoss(new TraceELBO({ maxPlateNesting: 0 }), [0.5, -1], conditioned), [0.5, -1], 1e-6);
  });

  it("observed with obs, in a plate, next to an enumerated variable", () => {
    // z ~ Bernoulli(0.3) enumerated shifts neither observation: the gradient is still (a - 0)/1 per member,
    // and the two plate members of each of two sites share one batch key
    const makeModel = (v: tf.Tensor) => function* () {
      yield* sample("z", dist.Bernoulli(0.3), en);
      yield* plate("data", 2, function* () {
        yield* sample("x_0", dist.Normal(0, 2), { obs: v.slice(0, 2) });
        yield* sample("x_1", dist.Normal(0, 2), { obs: v.slice(2, 2) });
      });
    };
    const x = [0.4, -1.2, 2.5, 0.1];
    expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 1 }), x, makeModel), x.map((a) => a / 4), 1e-6);
  });
});

// A two-state HMM over three steps with observations y (the differentiated values).
const pi = [0.6, 0.4];
const A = [[0.7, 0.3], [0.2, 0.8]];
const locs = [-1, 1.5];
const sd = 0.9;
const ys = [0.3, -0.8, 1.9];
const hmmLogEvidence = (y: number[]) =>
  bruteForce(y.map(() => 2), (z) => y.reduce((s, yt, t) => s + Math.log(t === 0 ? pi[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, locs[z[t]!]!, sd), 0));
const hmmTruth = finiteDiff((y) => -hmmLogEvidence(y), ys);

type Body = (t: number | string, i: number | tf.Tensor, y: tf.Tensor) => ModelGenerator<unknown>;
// one tensor per parameter, shared by every step, as a model holds them: the steps' emissions share a batch key
const piT = tf.tensor1d(pi);
const AT = tf.tensor2d(A);
const locsT = tf.tensor1d(locs);
function hmmStep(zPrev: () => tf.Tensor | undefined, setZ: (z: tf.Tensor) => void): Body {
  return function* (t, i, y) {
    const prev = zPrev();
    const probs = prev === undefined ? piT : vindex(AT, "...", prev, ":");
    const z = yield* sample(`z_${t}`, dist.Categorical(probs), en);
    setZ(z);
    yield* sample(`y_${t}`, dist.Normal(vindex(locsT, "...", z), sd), { obs: vindex(y, i) });
  };
}

describe("observations of a markov chain", () => {
  const loopModel = (v: tf.Tensor) => function* () {
    let z: tf.Tensor | undefined;
    const body = hmmStep(() => z, (x) => (z = x));
    yield* markov(range(ys.length), (t) => body(t, t, v));
  };
  for (const fuseChains of [true, false]) {
    it(`markov loop, fuseChains ${fuseChains}: finite differences of the float64 evidence`, () => {
      expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 0, fuseChains }), ys, loopModel), hmmTruth);
    });
  }

  it("vectorizedMarkov", () => {
    const makeModel = (v: tf.Tensor) => function* () {
      let z: tf.Tensor | undefined;
      const body = hmmStep(() => z, (x) => (z = x));
      yield* vectorizedMarkov("time", ys.length, { dim: -1 }, (t, i) => body(String(t), i, v));
    };
    expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 1 }), ys, makeModel), hmmTruth);
  });

  it("DiscreteHMM", () => {
    // Pyro's DiscreteHMM: the initial distribution is that of z_{-1}; pi = p0 A gives z_0 the HMM's law
    const p0 = [0.8, 0.2];
    const prior = [0, 1].map((j) => p0[0]! * A[0]![j]! + p0[1]! * A[1]![j]!);
    const evidence = (y: number[]) =>
      bruteForce(y.map(() => 2), (z) => y.reduce((s, yt, t) => s + Math.log(t === 0 ? prior[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, locs[z[t]!]!, sd), 0));
    const makeModel = (v: tf.Tensor) => function* () {
      const hmm = dist.DiscreteHMM(tf.log(tf.tensor1d(p0)), tf.log(tf.tensor2d(A)), dist.Normal(tf.tensor1d(locs), sd), { duration: ys.length });
      yield* sample("y", hmm, { obs: v });
    };
    const truth = finiteDiff((y) => -evidence(y), ys);
    expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 0 }), ys, makeModel), truth);
  });
});

describe("observations under guide-side and sequential enumeration", () => {
  // model: z ~ Bernoulli(0.4); a_i ~ N(mu_z, 1) observed. Guide enumerates z with q(z = 1) = 0.7.
  // ELBO = sum_z q(z) [log p(z) + sum_i log N(a_i; mu_z, 1) - log q(z)], so d(-ELBO)/da_i = sum_z q(z) (a_i - mu_z).
  const mu = [-0.5, 2];
  const q1 = 0.7;
  const a = [0.3, 1.1];
  const truth = a.map((ai) => (1 - q1) * (ai - mu[0]!) + q1 * (ai - mu[1]!));
  const makeModel = (v: tf.Tensor) => function* () {
    const z = yield* sample("z", dist.Bernoulli(0.4));
    const loc = vindex(tf.tensor1d(mu), z.toInt());
    yield* sample("a_0", dist.Normal(loc, 1), { obs: v.slice(0, 1).reshape([]) });
    yield* sample("a_1", dist.Normal(loc, 1), { obs: v.slice(1, 1).reshape([]) });
  };
  for (const [name, infer] of [["parallel", en], ["sequential", seq]] as const) {
    it(`guide enumeration, ${name}: the exact expectation of the closed form`, () => {
      function* guide() {
        yield* sample("z", dist.Bernoulli(q1), infer);
      }
      expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 0 }), a, makeModel, guide), truth);
    });
  }

  it("an amortised guide that reads the observations: finite differences of the float64 expectation", () => {
    // q(z = 1 | a) = sigmoid(a_0 - a_1): the values reach the guide's log q as well as the model's log p
    const guide = (v: tf.Tensor) => function* () {
      yield* sample("z", dist.Bernoulli(tf.sigmoid(v.slice(0, 1).sub(v.slice(1, 1)).reshape([]))), en);
    };
    const elbo = (x: number[]) => {
      const q1x = 1 / (1 + Math.exp(-(x[0]! - x[1]!)));
      return [1 - q1x, q1x].reduce((s, q, z) =>
        s + q * (Math.log(z === 1 ? 0.4 : 0.6) + x.reduce((t, xi) => t + normalLogPdf(xi, mu[z]!, 1), 0) - Math.log(q)), 0);
    };
    const grads = tf.tidy(() => {
      const g = tf.grad((v: tf.Tensor) => new TraceEnumELBO({ maxPlateNesting: 0 }).differentiableLoss(makeModel(v), guide(v)))(tf.tensor1d(a));
      return Array.from(g.dataSync());
    });
    expectClose(grads, finiteDiff((x) => -elbo(x), a));
  });

  it("sequential enumeration in the model: finite differences of the float64 evidence", () => {
    const makeSeqModel = (v: tf.Tensor) => function* () {
      const z = yield* sample("z", dist.Bernoulli(0.4), seq);
      const loc = vindex(tf.tensor1d(mu), z.toInt());
      yield* sample("a_0", dist.Normal(loc, 1), { obs: v.slice(0, 1).reshape([]) });
      yield* sample("a_1", dist.Normal(loc, 1), { obs: v.slice(1, 1).reshape([]) });
    };
    const evidence = (x: number[]) => bruteForce([2], ([z]) => Math.log(z === 1 ? 0.4 : 0.6) + x.reduce((s, xi) => s + normalLogPdf(xi, mu[z!]!, 1), 0));
    expectClose(gradOfLoss(new TraceEnumELBO({ maxPlateNesting: 0 }), a, makeSeqModel), finiteDiff((x) => -evidence(x), a));
  });
});

describe("inferDiscrete", () => {
  it("the decoded trace's log-density is differentiable in the observations", () => {
    // at temperature 0 the decoded path is the MAP path; d log p(y, z*)/dy_t = -(y_t - loc_{z*_t})/sd^2
    let path: number[] = [];
    let best = -Infinity;
    for (let c = 0; c < 8; c++) {
      const z = [c >> 2, (c >> 1) & 1, c & 1];
      const lp = ys.reduce((s, yt, t) => s + Math.log(t === 0 ? pi[z[0]!]! : A[z[t - 1]!]![z[t]!]!) + normalLogPdf(yt, locs[z[t]!]!, sd), 0);
      if (lp > best) [best, path] = [lp, z];
    }
    const loopModel = (v: tf.Tensor) => function* () {
      let z: tf.Tensor | undefined;
      const body = hmmStep(() => z, (x) => (z = x));
      yield* markov(range(ys.length), (t) => body(t, t, v));
    };
    const grads = tf.tidy(() => {
      const g = tf.grad((v: tf.Tensor) => {
        const tr = trace(inferDiscrete(loopModel(v), { temperature: 0, firstAvailableDim: -1 })).getTrace();
        return tr.logProbSum();
      })(tf.tensor1d(ys));
      return Array.from(g.dataSync());
    });
    expectClose(grads, ys.map((y, t) => -(y - locs[path[t]!]!) / (sd * sd)));
  });
});
