// An autoguide of a model whose only learnables are params (hmm.py's model_6) is an
// empty guide, as in Pyro: it samples nothing, median() is {}, and it says nothing.
// SVI with TraceELBO then is maximum likelihood in the model's params.
// Truths: the closed-form Normal MLE (sample mean, root mean squared deviation), the
// categorical MLE (counts / n) and the Normal log-likelihood written out in float64.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Adam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, run, sample, trace } from "ppl-core";
import { AutoDelta, AutoNormal } from "ppl-autoguide";

afterEach(() => {
  clearParamStore();
  vi.restoreAllMocks();
});

const xs = [3.1, 2.4, 4.0, 3.6, 2.9, 3.3];
const n = xs.length;
const mean = xs.reduce((a, b) => a + b, 0) / n;
const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / n);
const cats = [0, 2, 2, 1, 2, 0, 2, 1];
const counts = [2, 2, 4];

/** -Σ log N(x_i | loc, scale) - Σ log p[c_j], in float64. */
function nll64(loc: number, scale: number, p: number[]): number {
  const normal = xs.reduce((a, x) => a + 0.5 * Math.log(2 * Math.PI * scale * scale) + (x - loc) ** 2 / (2 * scale * scale), 0);
  return normal - cats.reduce((a, c) => a + Math.log(p[c]!), 0);
}

function* model(x: tf.Tensor, c: tf.Tensor) {
  const loc = yield* param("loc", tf.scalar(0));
  const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
  // unnormalised, as hmm.py's torch.rand inits
  const probs = yield* param("probs", tf.tensor1d([0.3, 0.9, 0.5]), { constraint: constraints.simplex });
  yield* plate("data", n, function* () {
    yield* sample("obs", dist.Normal(loc, scale), { obs: x });
  });
  yield* plate("cats", cats.length, function* () {
    yield* sample("c", dist.Categorical(probs), { obs: c });
  });
}

describe("an autoguide of a model with only param sites", () => {
  for (const [name, make] of [
    ["AutoDelta", (m: typeof model) => new AutoDelta(m)],
    ["AutoNormal", (m: typeof model) => new AutoNormal(m)],
  ] as const) {
    it(`${name} is empty and silent, and SVI with TraceELBO reaches the closed-form MLE of the params`, () => {
      const warn = vi.spyOn(console, "warn");
      const log = vi.spyOn(console, "log");
      const x = tf.tensor1d(xs);
      const c = tf.tensor1d(cats, "int32");
      const guide = make(model);
      const tr = trace(guide).getTrace(x, c);
      expect([...tr.nodes.values()].filter((s) => s.type === "sample")).toHaveLength(0);
      expect(guide.siteNames).toEqual([]);
      expect(guide.median(x, c)).toEqual({});
      // the prototype run of the model created the model's params (as Pyro's does); the guide made none of its own
      expect(getParamStore().names().sort()).toEqual(["loc", "probs", "scale"]);

      const svi = new SVI(model, guide, new Adam({ lr: 0.1 }), new TraceELBO());
      let last = 0;
      for (let i = 0; i < 400; i++) last = svi.step(x, c);
      const v = getParamStore().values() as Record<string, number | number[]>;
      expect(Object.keys(v).sort()).toEqual(["loc", "probs", "scale"]);
      expect(v.loc as number).toBeCloseTo(mean, 3);
      expect(v.scale as number).toBeCloseTo(sd, 3);
      (v.probs as number[]).forEach((p, k) => expect(p, `probs[${k}]`).toBeCloseTo(counts[k]! / cats.length, 3));
      // the loss is the negative log-likelihood at the params of the step (one Adam step before the last values)
      expect(last).toBeCloseTo(nll64(mean, sd, counts.map((k) => k / cats.length)), 3);
      expect(run(guide, x, c)).toEqual({});
      expect(warn).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
      tf.dispose([x, c]);
    });
  }
});
