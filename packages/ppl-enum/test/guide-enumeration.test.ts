// Enumeration in the guide (parallel and sequential): the ELBO is the exact
// expectation over the guide's enumerated values, as Pyro's TraceEnum_ELBO
// computes it. Oracles: the expectation written out in float64 here; gradients
// against central finite differences of that oracle.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, SVI, clearParamStore, dist, param, plate, sample, vindex, withHandler } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { logSumExp, normalLogPdf, relErr } from "./helpers.js";

const p = [0.2, 0.5, 0.3];
const A = [[0.7, 0.3], [0.4, 0.6], [0.1, 0.9]];
const locs = [-1, 2];
const ys = [0.3, 1.7, -0.8];
const softmax = (xs: readonly number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

/** Σ_i Σ_z q_i(z) [log p(z) + log Σ_c A[z][c] N(y_i; locs[c], 1) - log q_i(z)], q_i = softmax(logits[i]). */
function oracle(logits: number[][]): number {
  let total = 0;
  ys.forEach((y, i) => {
    const q = softmax(logits[i]!);
    q.forEach((qz, z) => {
      const marginal = logSumExp(locs.map((l, c) => Math.log(A[z]![c]!) + normalLogPdf(y, l, 1)));
      total += qz * (Math.log(p[z]!) + marginal - Math.log(qz));
    });
  });
  return total;
}

function* model() {
  yield* plate("data", 3, { dim: -1 }, function* () {
    const z = yield* sample("z", dist.Categorical(p));
    const c = yield* sample("c", dist.Categorical(vindex(tf.tensor2d(A), "...", z, ":")), { infer: { enumerate: "parallel" } });
    yield* sample("y", dist.Normal(vindex(tf.tensor1d(locs), "...", c), 1), { obs: ys });
  });
}

const init = [[0.1, -0.4, 0.9], [1.2, 0.0, -0.3], [-0.5, 0.5, 0.2]];
const guideWith = (strategy: "parallel" | "sequential") =>
  function* guide() {
    const logits = yield* param("q_logits", () => tf.tensor2d(init));
    yield* plate("data", 3, { dim: -1 }, function* () {
      yield* sample("z", dist.Categorical({ logits }), { infer: { enumerate: strategy } });
    });
  };

describe("enumeration in the guide (test_elbo_enumerate_plate_* style, guide side)", () => {
  for (const strategy of ["parallel", "sequential"] as const) {
    it(`${strategy}: the loss is the exact expectation, independent of the RNG, and gradients match finite differences`, () => {
      clearParamStore();
      const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
      const guide = guideWith(strategy);
      const truth = oracle(init);
      const l1 = elbo.loss(model, guide);
      const l2 = elbo.loss(model, guide);
      expect(l1).toBe(l2);
      expect(relErr(-l1, truth)).toBeLessThan(1e-5);
      const { grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide));
      const g = Object.values(grads)[0]!.arraySync() as number[][];
      const h = 1e-5;
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 3; k++) {
          const up = init.map((r) => [...r]);
          const dn = init.map((r) => [...r]);
          up[i]![k]! += h;
          dn[i]![k]! -= h;
          const fd = -(oracle(up) - oracle(dn)) / (2 * h);
          expect(Math.abs(g[i]![k]! - fd)).toBeLessThan(2e-4);
        }
      }
      tf.dispose(grads);
    });
  }
});

describe("enumeration in the guide keeps memory flat", () => {
  for (const strategy of ["parallel", "sequential"] as const) {
    it(`${strategy}: tensors alive after 20 SVI steps equal those after 1`, () => {
      clearParamStore();
      const svi = new SVI(model, guideWith(strategy), new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
      svi.step();
      const after1 = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) svi.step();
      expect(tf.memory().numTensors).toBe(after1);
      clearParamStore();
    });
  }
});

describe("sequential guide enumeration after a continuous guide site", () => {
  // Pyro's poutine.queue re-runs the guide per value of a sequential site by replaying the partial trace it escaped
  // from, so the continuous draw made before the site is one draw scored in every branch. Found by the random-model
  // check (random-models/, AutoNormal and AutoMultivariateNormal before a sequential site): each branch drew anew.
  const y = 0.9;
  const pz = 0.3;
  function* model() {
    const u = yield* sample("u", dist.Normal(0, 1));
    const z = yield* sample("z", dist.Bernoulli(pz));
    yield* sample("y", dist.Normal(u.add(z), 1), { obs: y });
  }
  function* guide() {
    const loc = yield* param("loc", tf.scalar(0.4));
    const scale = yield* param("scale", tf.scalar(0.7));
    yield* sample("u", dist.Normal(loc, scale));
    const q = yield* param("q", tf.scalar(0.6));
    yield* sample("z", dist.Bernoulli(q), { infer: { enumerate: "sequential" } });
  }

  it("draws the continuous site once for all branches, and the loss is the expectation over z at that draw", () => {
    clearParamStore();
    const drawn: number[] = [];
    const recorded = withHandler(guide, () => ({
      postprocess(msg) {
        if (msg.type === "sample" && msg.name === "u") drawn.push(msg.value!.dataSync()[0]!);
      },
    }));
    const loss = new TraceEnumELBO({ maxPlateNesting: 0 }).loss(model, recorded);
    // the escaped run and both branches: three draws of u, all equal
    expect(drawn.length).toBe(3);
    expect(new Set(drawn).size).toBe(1);
    const u = drawn[0]!;
    const q = [0.4, 0.6];
    const elbo = normalLogPdf(u, 0, 1) - normalLogPdf(u, 0.4, 0.7) +
      [0, 1].reduce((s, z) => s + q[z]! * (Math.log(z === 1 ? pz : 1 - pz) + normalLogPdf(y, u + z, 1) - Math.log(q[z]!)), 0);
    expect(relErr(loss, -elbo)).toBeLessThan(1e-6);
  });
});
