/**
 * Pyro's test_enum HMM cases as builders (model, guide, float64 oracle, and
 * Pyro's golden gradients where it gives them), shared by hmm.test.ts,
 * hmm-long.test.ts and sequential-hmm.test.ts.
 */
import { expect } from "vitest";
import { dist, markov, range, sample, vindex } from "ppl-core";
import type { Tensor } from "@tensorflow/tfjs";
import type { EnumCase } from "./check.js";
import { type Strategy } from "./guide-cases.js";
import { expect as expectation, lg, logSumExp, normalLogPdf } from "./oracle.js";
import { Params } from "./params.js";

export const P = "parallel" as const;
export const S = "sequential" as const;
const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

export function expectClose(got: number[], want: number[], what: string): void {
  const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
  expect(worst / Math.max(1, ...want.map(Math.abs)), `${what}: got [${got.join(", ")}], Pyro's [${want.join(", ")}]`).toBeLessThan(1e-3);
}

// Pyro's parametrisations.
export const hmmInModelCases: [Strategy, number, boolean][] = [
  [S, 2, true], [S, 2, false], [S, 3, true], [S, 3, false],
  [P, 2, true], [P, 2, false], [P, 3, true], [P, 3, false], [P, 10, false], [P, 20, false], [P, 30, false],
];

export function hmmInModel(e: Strategy, T: number, expand: boolean) {
  const params = new Params()
    .add("transition_probs", [[0.9, 0.1], [0.1, 0.9]], "simplex")
    .add("obs_locs", [-1, 1])
    .add("obs_scale", 1, "positive")
    .add("mean_field_probs", steps(T).map(() => [0.5, 0.5]), "simplex");
  const init = [0.5, 0.5];
  const c = {
    params,
    model: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const trans = params.tensor(theta, "transition_probs");
      const locs = params.tensor(theta, "obs_locs");
      const sc = params.tensor(theta, "obs_scale");
      let x: Tensor | undefined;
      yield* markov(range(T), function* (i) {
        x = yield* sample(`x_${i}`, dist.Categorical(x === undefined ? init : vindex(trans, "...", x, ":")));
        yield* sample(`y_${i}`, dist.Normal(vindex(locs, "...", x), sc), { obs: 1 });
      });
    },
    guide: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const mf = params.tensor(theta, "mean_field_probs");
      yield* markov(range(T), function* (i) {
        yield* sample(`x_${i}`, dist.Categorical(mf.slice([i, 0], [1, 2]).reshape([2])), { infer: { enumerate: e, expand } });
      });
    },
    // The guide is mean-field, so E_q log p needs only the one- and two-step marginals.
    oracle: (th: number[]) => {
      const A = params.value(th, "transition_probs");
      const locs = params.value(th, "obs_locs");
      const sc = params.value(th, "obs_scale")();
      const q = (t: number, k: number) => params.value(th, "mean_field_probs")(t, k);
      let s = 0;
      for (let t = 0; t < T; t++) {
        for (const k of [0, 1]) s += q(t, k) * (normalLogPdf(1, locs(k), sc) - lg(q(t, k)) + (t === 0 ? lg(init[k]!) : 0));
        if (t > 0) for (const a of [0, 1]) for (const b of [0, 1]) s += q(t - 1, a) * q(t, b) * lg(A(a, b));
      }
      return s;
    },
  };
  // Pyro's expected unconstrained gradients at this point.
  const golden = [
    ...[0.2, -0.2, -0.2, 0.2].map((g) => g * (T - 1)), -T, 0, -T, ...steps(T).flatMap(() => [0.5, -0.5]),
  ];
  return { c, golden };
}


export const hmmInGuideCases: [Strategy, number, boolean][] = [
  [S, 2, true], [S, 2, false], [S, 3, true], [S, 3, false],
  [P, 2, true], [P, 2, false], [P, 3, true], [P, 3, false], [P, 10, false], [P, 20, false], [P, 30, false],
  [P, 40, false], [P, 50, false],
];

// Pyro's golden gradients (transition_probs row 0, emission_probs rows 0 and 1); the other transition row equals row 0.
const hmmInGuideGolden: Record<number, [number, number, number]> = {
  2: [0.1029949, 0.75, 0.25],
  3: [0.25748726, 1.125, 0.375],
  10: [1.64832076, 3.75, 1.25],
  20: [3.70781687, 7.5, 2.5],
  30: [5.76771452, 11.25, 3.75],
};

export function hmmInGuide(e: Strategy, T: number, expand: boolean) {
  const params = new Params()
    .add("transition_probs", [[0.75, 0.25], [0.25, 0.75]], "simplex")
    .add("emission_probs", [[0.75, 0.25], [0.25, 0.75]], "simplex");
  const init = [0.5, 0.5];
  const chain = (theta: Parameters<typeof params.tensor>[0], observe: boolean, infer: object) => function* () {
    const trans = params.tensor(theta, "transition_probs");
    const em = params.tensor(theta, "emission_probs");
    let x: Tensor | undefined;
    yield* markov(range(T), function* (i) {
      x = yield* sample(`x_${i}`, dist.Categorical(x === undefined ? init : vindex(trans, "...", x, ":")), infer);
      if (observe) yield* sample(`y_${i}`, dist.Categorical(vindex(em, "...", x, ":")), { obs: 1 });
    });
  };
  const c = {
    params,
    model: (theta: Parameters<typeof params.tensor>[0]) => chain(theta, true, {}),
    guide: (theta: Parameters<typeof params.tensor>[0]) => chain(theta, false, { infer: { enumerate: e, expand } }),
    // Model and guide share the chain, so log p(x) - log q(x) = 0 pointwise and the
    // ELBO is the expected emission log-likelihood under the chain's marginals.
    oracle: (th: number[]) => {
      const A = params.value(th, "transition_probs");
      const B = params.value(th, "emission_probs");
      let m = [...init];
      let s = 0;
      for (let t = 0; t < T; t++) {
        if (t > 0) m = [0, 1].map((b) => m[0]! * A(0, b) + m[1]! * A(1, b));
        s += m[0]! * lg(B(0, 1)) + m[1]! * lg(B(1, 1));
      }
      return s;
    },
  };
  const g = hmmInGuideGolden[T];
  const golden = g === undefined ? undefined : [g[0], -g[0], g[0], -g[0], g[1], -g[1], g[2], -g[2]];
  return { c, golden };
}


// A fixed binary sequence standing in for Pyro's random data.
export const ys = (T: number) => steps(T).map((t) => ((t * 7 + 3) % 5) % 2);

/** log p(y) of a two-state chain started from a given distribution over x_{-1}, by the forward algorithm in float64. */
export function forward(start: number[], A: (a: number, b: number) => number, B: (a: number, y: number) => number, y: number[]): number {
  let alpha = start.map(lg);
  for (const yt of y) alpha = [0, 1].map((b) => logSumExp(alpha.map((a, i) => a + lg(A(i, b)))) + lg(B(b, yt)));
  return logSumExp(alpha);
}

export const hmmParams = () => new Params()
  .add("transition_probs", [[0.75, 0.25], [0.25, 0.75]], "simplex")
  .add("emission_probs", [[0.75, 0.25], [0.25, 0.75]], "simplex");



export function dbn(e: Strategy, size: number) {
  const params = new Params()
    .add("probs_z", [[0.75, 0.25], [0.25, 0.75]], "simplex")
    .add("probs_x", [[0.75, 0.25], [0.25, 0.75]], "simplex")
    .add("probs_y", [[[0.75, 0.25], [0.45, 0.55]], [[0.55, 0.45], [0.25, 0.75]]], "simplex");
  const uniform = [0.5, 0.5];
  return {
    params,
    maxPlateNesting: 0,
    model: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const pz = params.tensor(theta, "probs_z");
      yield* markov(range(size), function* (i) {
        yield* sample(`x_${i}`, dist.Categorical(uniform));
        const y = yield* sample(`y_${i}`, dist.Categorical(uniform));
        yield* sample(`z_${i}`, dist.Categorical(vindex(pz, "...", y, ":")), { obs: 1 });
      });
    },
    guide: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const px = params.tensor(theta, "probs_x");
      const py = params.tensor(theta, "probs_y");
      let x: Tensor | number = 0;
      let y: Tensor | number = 0;
      yield* markov(range(size), function* (i) {
        x = yield* sample(`x_${i}`, dist.Categorical(vindex(px, "...", x, ":")), { infer: { enumerate: e } });
        y = yield* sample(`y_${i}`, dist.Categorical(vindex(py, "...", x, y, ":")), { infer: { enumerate: e } });
      });
    },
    oracle: (th: number[]) => {
      const pz = params.value(th, "probs_z");
      const px = params.value(th, "probs_x");
      const py = params.value(th, "probs_y");
      const logQ = (v: number[]) => steps(size).reduce((s, i) =>
        s + lg(px(i === 0 ? 0 : v[2 * i - 2]!, v[2 * i]!)) + lg(py(v[2 * i]!, i === 0 ? 0 : v[2 * i - 1]!, v[2 * i + 1]!)), 0);
      return expectation(new Array<number>(2 * size).fill(2), logQ, (v) =>
        steps(size).reduce((s, i) => s + 2 * lg(0.5) + lg(pz(v[2 * i + 1]!, 1)), 0) - logQ(v));
    },
  };
}

/** test_hmm_enumerate_model: the chain starts from x = 0 and is enumerated in the model. */
export function hmmEnumerateModel(T: number): EnumCase {
  const params = hmmParams();
  const y = ys(T);
  return {
    params,
    model: (theta) => function* () {
      const trans = params.tensor(theta, "transition_probs");
      const em = params.tensor(theta, "emission_probs");
      let x: Tensor | number = 0;
      yield* markov(range(T), function* (t) {
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(trans, "...", x, ":")), { infer: { enumerate: P } });
        yield* sample(`y_${t}`, dist.Categorical(vindex(em, "...", x, ":")), { obs: y[t]! });
      });
    },
    oracle: (th) => forward([1, 0], params.value(th, "transition_probs"), params.value(th, "emission_probs"), y),
  };
}

/** test_hmm_enumerate_model_and_guide: the start x is enumerated in the guide, the chain in the model. */
export function hmmEnumerateModelAndGuide(T: number): EnumCase {
  const params = hmmParams().add("init_probs", [0.75, 0.25], "simplex");
  const y = ys(T);
  return {
    params,
    model: (theta) => function* () {
      const trans = params.tensor(theta, "transition_probs");
      const em = params.tensor(theta, "emission_probs");
      let x = yield* sample("x", dist.Categorical([0.5, 0.5]));
      yield* markov(range(T), function* (t) {
        x = yield* sample(`x_${t}`, dist.Categorical(vindex(trans, "...", x, ":")), { infer: { enumerate: P } });
        yield* sample(`y_${t}`, dist.Categorical(vindex(em, "...", x, ":")), { obs: y[t]! });
      });
    },
    guide: (theta) => function* () {
      yield* sample("x", dist.Categorical(params.tensor(theta, "init_probs")), { infer: { enumerate: P } });
    },
    oracle: (th) => {
      const q = params.value(th, "init_probs");
      const A = params.value(th, "transition_probs");
      const B = params.value(th, "emission_probs");
      return expectation([2], ([x]) => lg(q(x!)), ([x]) => lg(0.5) - lg(q(x!)) + forward(x === 0 ? [1, 0] : [0, 1], A, B, y));
    },
  };
}
