// Masks around enumerated sites, with Pyro's semantics (pyro/infer/traceenum_elbo.py,
// _compute_model_factors): an enumerated site's own log-prob is left unmasked (it is
// normalised over its support, so a masked member adds no log K), while the sites that
// depend on it are masked inside the log-sum-exp. Oracles are float64 sums written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, mask, plate, sample, vindex } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { logSumExp, normalLogPdf, relErr } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const w = [0.3, 0.7];
const locs = [0, 1];
const obs = [0.1, 0.2, 0.3];
const mixture = (x: number) => logSumExp(w.map((wk, k) => Math.log(wk) + normalLogPdf(x, locs[k]!, 1)));

describe("a tensor mask around an enumerated site inside a plate", () => {
  it("masks the observed sites and adds nothing for masked members (2.3254 for the issue's case)", () => {
    const m = tf.tensor1d([1, 1, 0], "bool");
    function* model() {
      yield* plate("s", 3, { dim: -1 }, function* () {
        yield* mask(m, function* () {
          const x = yield* sample("x", dist.Categorical(w), en);
          yield* sample("y", dist.Normal(vindex(tf.tensor1d(locs), "...", x), 1), { obs });
        });
      });
    }
    const truth = mixture(obs[0]!) + mixture(obs[1]!);
    expect(truth).toBeCloseTo(-2.3254, 4);
    const loss = new TraceEnumELBO({ maxPlateNesting: 1 }).loss(model, emptyGuide);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });

  it("a mask with a plate dim the enumerated site's parameters lack, in a deeper plate", () => {
    // mask [2, 1] over plate 'a' at dim -2; the Categorical's probs have no plate dims at all
    const m = tf.tensor2d([[1], [0]], [2, 1], "bool");
    const ys = [[0.5, -0.2, 1.4], [2.0, 0.7, -1.1]];
    function* model() {
      yield* plate("a", 2, { dim: -2 }, function* () {
        yield* plate("b", 3, { dim: -1 }, function* () {
          yield* mask(m, function* () {
            const x = yield* sample("x", dist.Categorical(w), en);
            yield* sample("y", dist.Normal(vindex(tf.tensor1d(locs), "...", x), 1), { obs: ys });
          });
        });
      });
    }
    const truth = ys[0]!.reduce((s, y) => s + mixture(y), 0);
    const loss = new TraceEnumELBO({ maxPlateNesting: 2 }).loss(model, emptyGuide);
    expect(relErr(-loss, truth)).toBeLessThan(1e-5);
  });
});
