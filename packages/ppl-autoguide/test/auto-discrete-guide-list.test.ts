// AutoDiscreteParallel under TraceEnumELBO against a float64 brute-force sum over
// the guide's values, and AutoGuideList (AutoDelta + AutoNormal on blocked models)
// against the closed-form optimum of its ELBO.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLModelError, SVI, TraceELBO, block, clearParamStore, dist, plate, sample, setRngSeed, trace, vindex,
} from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { AutoDelta, AutoDiscreteParallel, AutoGuideList, AutoNormal } from "ppl-autoguide";

const LOG_2PI = Math.log(2 * Math.PI);
const normalLogPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;

// z_i ~ Categorical(p), b_i ~ Bernoulli(0.3), y_i ~ N(locs[z_i] + 0.5 b_i, 1), i < 3
const p = [0.2, 0.5, 0.3];
const locs = [-2, 0, 2.5];
const ys = [-1.6, 0.4, 2.9];

function* mixture() {
  yield* plate("data", 3, function* () {
    const z = yield* sample("z", dist.Categorical(p));
    const b = yield* sample("b", dist.Bernoulli(0.3));
    yield* sample("y", dist.Normal(vindex(tf.tensor1d(locs), "...", z).add(b.mul(0.5)), 1), { obs: ys });
  });
}

/** Σ_i Σ_{z,b} q_i(z) r_i(b) [log p(z) p(b) N(y_i) - log q_i(z) r_i(b)], in float64. */
function elboBruteForce(q: number[][], r: number[]): number {
  let total = 0;
  ys.forEach((y, i) => {
    for (let z = 0; z < 3; z++) {
      for (let b = 0; b < 2; b++) {
        const w = q[i]![z]! * (b === 1 ? r[i]! : 1 - r[i]!);
        const logJoint = Math.log(p[z]!) + Math.log(b === 1 ? 0.3 : 0.7) + normalLogPdf(y, locs[z]! + 0.5 * b, 1);
        total += w * (logJoint - Math.log(w));
      }
    }
  });
  return total;
}

/** The exact joint posterior of (z_i, b_i), [z][b]; its z-marginal is what the mean-field table should come near. */
function posteriorJoint(i: number): number[][] {
  const w = [0, 1, 2].map((z) => [0, 1].map((b) => p[z]! * (b === 1 ? 0.3 : 0.7) * Math.exp(normalLogPdf(ys[i]!, locs[z]! + 0.5 * b, 1))));
  const s = w.flat().reduce((a, c) => a + c, 0);
  return w.map((row) => row.map((v) => v / s));
}

describe("AutoDiscreteParallel", () => {
  it("starts at the prior, and TraceEnumELBO's loss is the exact expectation over its tables (brute force, float64)", () => {
    clearParamStore();
    const guide = new AutoDiscreteParallel(mixture);
    const elbo = new TraceEnumELBO({ maxPlateNesting: 1 });
    const loss = elbo.loss(mixture, guide);
    expect(loss).toBeCloseTo(-elboBruteForce([p, p, p], [0.3, 0.3, 0.3]), 4);
    // the params carry Pyro's names and the guide enumerates its sites in parallel
    const tr = trace(guide).getTrace();
    const params = [...tr.nodes.values()].filter((s) => s.type === "param").map((s) => s.name);
    expect(params).toEqual(["AutoDiscreteParallel.z_probs", "AutoDiscreteParallel.b_probs"]);
    expect(tr.sampleSite("z").infer.enumerate).toBe("parallel");
  });

  it("learns the ELBO-optimal tables: at the optimum the loss matches the brute-force ELBO of the learned tables", () => {
    clearParamStore();
    setRngSeed(2);
    const guide = new AutoDiscreteParallel(mixture);
    const svi = new SVI(mixture, guide, new Adam({ lr: 0.1 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
    for (let i = 0; i < 150; i++) svi.step();
    const zTable = tf.tidy(() => (trace(guide).getTrace().get("AutoDiscreteParallel.z_probs")!.value.arraySync() as number[][]));
    const bTable = tf.tidy(() => Array.from(trace(guide).getTrace().get("AutoDiscreteParallel.b_probs")!.value.dataSync()));
    expect(svi.evaluateLoss()).toBeCloseTo(-elboBruteForce(zTable, bTable), 3);
    // the mean-field optimum's z-marginals sit near the exact posterior marginals (z and b are nearly independent here)
    for (let i = 0; i < 3; i++) {
      const joint = posteriorJoint(i);
      for (let z = 0; z < 3; z++) expect(Math.abs(zTable[i]![z]! - (joint[z]![0]! + joint[z]![1]!))).toBeLessThan(0.03);
    }
    // median and quantiles: the smallest value whose cumulative probability reaches q
    const med = Array.from(guide.median().z!.dataSync());
    const cdfMedian = (row: number[]) => row.findIndex((_, k) => row.slice(0, k + 1).reduce((a, c) => a + c, 0) >= 0.5);
    expect(med).toEqual(zTable.map(cdfMedian));
    const qs = guide.quantiles([0.01, 0.99]).z!;
    expect(qs.shape).toEqual([2, 3]);
  });

  it("refuses a continuous site with the fix in the message", () => {
    clearParamStore();
    function* withContinuous() {
      yield* sample("mu", dist.Normal(0, 1));
      yield* mixture();
    }
    const guide = new AutoDiscreteParallel(withContinuous);
    expect(() => guide.median()).toThrow(PPLModelError);
    expect(() => guide.median()).toThrow(/site 'mu' is continuous.*block\(model, \{ expose/);
  });
});

describe("AutoGuideList", () => {
  // a ~ N(0, 1), b ~ N(a, 1), y ~ N(b, 0.5). With AutoDelta on a and a Normal on b, the ELBO's optimum is
  // q(b) = p(b | a, y) = N((a + 4y)/5, 1/5) and a = the MAP of p(a | y): y | a ~ N(a, 1.25), so a* = (y/1.25)/(1 + 1/1.25).
  const y = 1.8;
  function* chain() {
    const a = yield* sample("a", dist.Normal(0, 1));
    const b = yield* sample("b", dist.Normal(a, 1));
    yield* sample("y", dist.Normal(b, 0.5), { obs: tf.scalar(y) });
  }
  const aStar = y / 1.25 / (1 + 1 / 1.25);
  const bMean = (aStar + 4 * y) / 5;
  const bSd = Math.sqrt(1 / 5);

  it("runs AutoDelta on one site and AutoNormal on the other and reaches the closed-form optimum", () => {
    clearParamStore();
    setRngSeed(4);
    const guide = new AutoGuideList(chain)
      .append(new AutoDelta(block(chain, { expose: ["a"] })))
      .append(new AutoNormal(block(chain, { hide: ["a"] }), { initScale: 0.3 }));
    const svi = new SVI(chain, guide, new ClippedAdam({ lr: 0.05, lrd: 0.996 }), new TraceELBO({ numParticles: 2 }));
    for (let i = 0; i < 600; i++) svi.step();
    expect(guide.siteNames).toEqual(["a", "b"]);
    const med = guide.median();
    expect(Math.abs(med.a!.dataSync()[0]! - aStar)).toBeLessThan(0.05);
    expect(Math.abs(med.b!.dataSync()[0]! - bMean)).toBeLessThan(0.05);
    const q = guide.quantiles([0.1, 0.9]);
    expect(Array.from(q.a!.dataSync())).toEqual([med.a!.dataSync()[0]!, med.a!.dataSync()[0]!]); // a point mass
    const width = q.b!.dataSync()[1]! - q.b!.dataSync()[0]!;
    expect(Math.abs(width / (2 * 1.2815515655446004) - bSd) / bSd).toBeLessThan(0.1);
    const draws = guide.sample(5);
    expect(draws.a!.shape).toEqual([5]);
    expect(draws.b!.shape).toEqual([5]);
  });

  it("names a site that two parts cover", () => {
    clearParamStore();
    const guide = new AutoGuideList(chain).append(new AutoDelta(chain)).append(new AutoNormal(block(chain, { hide: ["a"] })));
    expect(() => guide.median()).toThrow(/site 'b' is covered by two parts \(AutoDelta and AutoNormal\)/);
  });
});
