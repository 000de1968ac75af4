// Sequential enumeration in the model: the model runs once per value of each
// sequential site (so the value can steer plain JS control flow), and the ELBO
// sums the site out exactly. Oracles: float64 sums written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLModelError, dist, markov, plate, range, sample, trace, vindex, withHandler } from "ppl-core";
import type { Model } from "ppl-core";
import { withStepCache } from "ppl-core/internal";
import { TraceEnumELBO } from "ppl-enum";
import { EnumMessenger } from "../src/enum/enum-handler.js";
import { runSequentially } from "../src/enum/sequential.js";
import { collectTerms } from "../src/terms/collect.js";
import { stackSequentialRuns } from "../src/terms/stack-runs.js";
import { bruteForce, logSumExp, normalLogPdf, relErr } from "./helpers.js";

const seq = { infer: { enumerate: "sequential" as const } };
function* emptyGuide() {}
const w = [0.3, 0.7];
const mu = [-1, 1.5];
const xs = [-1.2, 0.3, 2.0];

describe("sequential enumeration in the model", () => {
  it("a global site whose value picks a branch of the model in JS", () => {
    function* model() {
      const z = yield* sample("z", dist.Bernoulli(0.4), seq);
      // plain control flow on the value: only possible when each run sees one value
      const loc = z.dataSync()[0] === 1 ? 2 : -1;
      yield* plate("data", xs.length, function* () {
        yield* sample("x", dist.Normal(loc, 1), { obs: xs });
      });
    }
    const truth = logSumExp([0, 1].map((z) => Math.log(z === 1 ? 0.4 : 0.6) + xs.reduce((s, x) => s + normalLogPdf(x, z === 1 ? 2 : -1, 1), 0)));
    expect(relErr(-new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide), truth)).toBeLessThan(1e-5);
  });

  it("a site in a plate is summed per member, like parallel enumeration, next to a parallel one", () => {
    function* model() {
      yield* plate("data", xs.length, function* () {
        const c = yield* sample("c", dist.Categorical(w), seq);
        const d = yield* sample("d", dist.Bernoulli(0.25), { infer: { enumerate: "parallel" } });
        yield* sample("x", dist.Normal(vindex(tf.tensor1d(mu), "...", c).add(d.mul(0.5)), 1), { obs: xs });
      });
    }
    const truth = xs.reduce((s, x) => s + logSumExp([0, 1].flatMap((c) => [0, 1].map((d) =>
      Math.log(w[c]!) + Math.log(d === 1 ? 0.25 : 0.75) + normalLogPdf(x, mu[c]! + 0.5 * d, 1)))), 0);
    expect(relErr(-new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide), truth)).toBeLessThan(1e-5);
  });

  it("a model whose sites change with the value is refused with a PPL error naming the site", () => {
    function* model() {
      const z = yield* sample("z", dist.Bernoulli(0.5), seq);
      if (z.dataSync()[0] === 1) yield* sample("extra", dist.Normal(0, 1), { obs: 0.3 });
    }
    expect(() => new TraceEnumELBO({ maxPlateNesting: 0 }).loss(model, emptyGuide)).toThrow(PPLModelError);
    expect(() => new TraceEnumELBO({ maxPlateNesting: 0 }).loss(model, emptyGuide)).toThrow(/'z'/);
  });

  it("a markov loop next to a sequential site stays one time chain, run once per value: loss and gradient against float64 sums", () => {
    const T = 4;
    const ys = [0.4, 1.9, -0.6, 1.2];
    const A = [[0.8, 0.2], [0.3, 0.7]];
    const shift = [0, 0.9];
    const makeModel = (locs: tf.Tensor): Model<[]> => function* () {
      const g = yield* sample("g", dist.Bernoulli(0.35), seq);
      const offset = shift[g.dataSync()[0]!]!;
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? tf.tensor1d([0.6, 0.4]) : vindex(tf.tensor2d(A), "...", z, ":")), {
          infer: { enumerate: "parallel" },
        });
        yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z).add(offset), 1), { obs: tf.scalar(ys[t]!) });
      });
    };
    const evidence = (locs: readonly number[]) => logSumExp([0, 1].map((g) => Math.log(g === 1 ? 0.35 : 0.65) + bruteForce(new Array<number>(T).fill(2), (a) => {
      let lp = 0;
      for (let t = 0; t < T; t++) lp += Math.log(t === 0 ? [0.6, 0.4][a[0]!]! : A[a[t - 1]!]![a[t]!]!) + normalLogPdf(ys[t]!, locs[a[t]!]! + shift[g]!, 1);
      return lp;
    })));
    const locs = [-0.5, 1.4];
    const v = tf.variable(tf.tensor1d(locs));
    // each run stacks its loop along time; the runs stacked along g's dim keep it one time chain, g's dim in its batch
    let batches: (readonly string[])[] = [];
    withStepCache(() => tf.tidy(() => {
      const runs = runSequentially((fixer) => {
        const tr = trace(withHandler(withHandler(makeModel(tf.tensor1d(locs)), fixer), () => new EnumMessenger(-1))).getTrace();
        return collectTerms(tr, "elbo");
      });
      batches = stackSequentialRuns(runs.map((r) => ({ terms: r.result, assignment: r.assignment, totals: r.totals }))).loops.map((l) => l.batch);
    }));
    expect(batches).toEqual([["s:g"]]);
    const elbo = new TraceEnumELBO({ maxPlateNesting: 0 });
    const [loss, grad] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(makeModel(v), emptyGuide), [v]);
      return [value.dataSync()[0]!, Array.from(grads[v.name]!.dataSync())];
    });
    expect(relErr(-loss, evidence(locs))).toBeLessThan(1e-5);
    const h = 1e-5;
    const fd = locs.map((_, i) => (evidence(locs.map((l, j) => (j === i ? l + h : l))) - evidence(locs.map((l, j) => (j === i ? l - h : l)))) / (2 * h));
    grad.forEach((g, i) => expect(Math.abs(-g - fd[i]!)).toBeLessThan(1e-3));
    v.dispose();
  });
});
