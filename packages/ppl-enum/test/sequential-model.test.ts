// Sequential enumeration in the model: the model runs once per value of each
// sequential site (so the value can steer plain JS control flow), and the ELBO
// sums the site out exactly. Oracles: float64 sums written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLModelError, dist, plate, sample, vindex } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { logSumExp, normalLogPdf, relErr } from "./helpers.js";

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
});
