// AutoDelta on the seed HMM under TraceEnumELBO: the enumerated states never get
// guide params, the loss decreases, and median() lands on the supports.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, SVI, block, clearParamStore, dist, getParamStore, markov, plate, range, sample, setRngSeed, vindex } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { AutoDelta, initToSample } from "ppl-autoguide";

function* model(obs: tf.Tensor2D, K: number) {
  const [S, T] = obs.shape;
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const locs = yield* sample("locs", dist.Normal(0, 10).expand([K]).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(0, 1).expand([K]).toEvent(1));
  yield* plate("seqs", S, { dim: -1 }, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(T), function* (t) {
      const probs = t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: obs.slice([0, t], [S, 1]).reshape([S]) });
    });
  });
}

describe("AutoDelta on the seed HMM", () => {
  it("learns only the exposed globals; loss decreases; medians are on their supports", () => {
    clearParamStore();
    setRngSeed(3);
    const obs = tf.tensor2d([
      [0.1, -0.3, 5.2, 4.8, 5.1, 9.9, 10.2, 0.2],
      [4.9, 5.3, 0.0, -0.2, 10.1, 9.7, 5.0, 4.7],
      [10.3, 9.8, 10.0, 5.1, 0.3, 0.1, -0.1, 5.2],
    ]);
    const guide = new AutoDelta(block(model, { expose: ["probs_init", "probs_trans", "locs", "scales"] }), { initLocFn: initToSample });
    const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) losses.push(svi.step(obs, 3));
    expect(getParamStore().names().sort()).toEqual([
      "AutoDelta.locs.locs", "AutoDelta.locs.probs_init", "AutoDelta.locs.probs_trans", "AutoDelta.locs.scales",
    ]);
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first);
    const m = guide.median(obs, 3);
    const pi = Array.from(m.probs_init!.dataSync());
    expect(pi.every((p) => p > 0)).toBe(true);
    expect(pi.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    const A = m.probs_trans!.arraySync() as number[][];
    expect(A).toHaveLength(3);
    for (const row of A) {
      expect(row.every((p) => p > 0)).toBe(true);
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    }
    expect(Array.from(m.scales!.dataSync()).every((s) => s > 0)).toBe(true);
    expect(m.locs!.shape).toEqual([3]);
    clearParamStore();
  });
});
