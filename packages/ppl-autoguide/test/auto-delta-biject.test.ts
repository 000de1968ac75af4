// AutoDelta keeps its locs through bijectTo (stick-breaking for a simplex), not the
// param store's default transformTo, so its SVI parameterisation is unchanged.
// Truth: Pyro's stick-breaking inverse, x_k = logit(z_k) + log(K - 1 - k), in float64.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { clearParamStore, dist, getParamStore, run, sample } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";

function stickBreakingInverse64(p: number[]): number[] {
  const K = p.length;
  const out: number[] = [];
  let rest = 1;
  for (let k = 0; k < K - 1; k++) {
    const z = p[k]! / rest;
    out.push(Math.log(z / (1 - z)) + Math.log(K - 1 - k));
    rest -= p[k]!;
  }
  return out;
}

describe("AutoDelta param mapping", () => {
  it("a simplex site's loc is stored by stick-breaking, via the guide and via median()", () => {
    const probs = [0.2, 0.5, 0.3];
    function* model() {
      yield* sample("probs", dist.Dirichlet(tf.ones([3])));
    }
    for (const via of ["guide", "median"] as const) {
      clearParamStore();
      const guide = new AutoDelta(model, { initLocFn: initToValue({ values: { probs: tf.tensor1d(probs) } }) });
      if (via === "guide") run(guide);
      else tf.dispose(Object.values(guide.median()));
      const store = getParamStore();
      expect(store.mapping("AutoDelta.locs.probs")).toBe("bijectTo");
      const u = Array.from(store.unconstrained("AutoDelta.locs.probs").dataSync());
      const want = stickBreakingInverse64(probs);
      u.forEach((x, k) => expect(x, `${via}: u[${k}]`).toBeCloseTo(want[k]!, 5));
      const m = guide.median();
      Array.from(m.probs!.dataSync()).forEach((x, k) => expect(x).toBeCloseTo(probs[k]!, 5));
      tf.dispose(Object.values(m));
    }
    clearParamStore();
  });
});
