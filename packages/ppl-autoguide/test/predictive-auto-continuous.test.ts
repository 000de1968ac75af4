// Predictive with AutoContinuous guides whose latent sites sit inside plates:
// in parallel mode the whole latent vector is batched by Predictive's outer
// plate. Truth: the guide's params, set here by hand (a diagonal Normal in
// unconstrained space), so each site's draws have known moments.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Predictive, clearParamStore, constraints, dist, getParamStore, plate, sample, setRngSeed } from "ppl-core";
import { AutoDiagonalNormal, AutoMultivariateNormal } from "ppl-autoguide";

// g ~ N(0, 1) global; s_i ~ LogNormal(0, 1) and u_i ~ N(g, 1) local in plate(3); y_i ~ N(u_i, s_i) observed
function* model(y: tf.Tensor1D) {
  const g = yield* sample("g", dist.Normal(0, 1));
  yield* plate("items", 3, function* () {
    const s = yield* sample("s", dist.LogNormal(0, 1));
    const u = yield* sample("u", dist.Normal(g, 1));
    yield* sample("y", dist.Normal(u, s), { obs: y });
  });
}

// latent order: g, s_0..s_2 (log scale), u_0..u_2
const loc = [0.5, -0.2, 0.1, 0.3, 1.0, -1.0, 2.0];
const scale = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

describe("Predictive with AutoContinuous guides over plated sites", () => {
  for (const parallel of [true, false]) {
    it(`parallel: ${parallel}: every site's draws follow the guide's marginals; y follows u and s`, () => {
      clearParamStore();
      setRngSeed(21);
      getParamStore().get("AutoDiagonalNormal.loc", () => tf.tensor1d(loc), constraints.real).dispose();
      getParamStore().get("AutoDiagonalNormal.scale", () => tf.tensor1d(scale), constraints.positive).dispose();
      const guide = new AutoDiagonalNormal(model);
      const N = parallel ? 3000 : 300;
      const data = tf.tensor1d([0.1, 0.2, 0.3]);
      const out = new Predictive(model, { guide, numSamples: N, parallel }).forward(data);
      expect(out.g!.shape).toEqual([N]);
      expect(out.s!.shape).toEqual([N, 3]);
      expect(out.u!.shape).toEqual([N, 3]);
      const cols = (t: tf.Tensor) => tf.tidy(() => (t.reshape([N, -1]).transpose().arraySync() as number[][]));
      const check = (xs: number[], m: number, sd: number) => {
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const s = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
        expect(Math.abs(mean - m)).toBeLessThan(4 * sd / Math.sqrt(xs.length));
        expect(Math.abs(s - sd) / sd).toBeLessThan(parallel ? 0.08 : 0.25);
      };
      check(cols(out.g!)[0]!, loc[0]!, scale[0]!);
      cols(out.s!).forEach((c, i) => check(c.map(Math.log), loc[1 + i]!, scale[1 + i]!));
      cols(out.u!).forEach((c, i) => check(c, loc[4 + i]!, scale[4 + i]!));
      // y_i - u_i over s_i is a standard normal: the draws of one sample stay together
      const z = tf.tidy(() => Array.from(out.y!.sub(out.u!).div(out.s!).dataSync()));
      check(z, 0, 1);
      tf.dispose(Object.values(out));
    });
  }

  it("AutoMultivariateNormal: the outer plate batches the latent vector (parallel draws are not all the same)", () => {
    clearParamStore();
    setRngSeed(3);
    const guide = new AutoMultivariateNormal(model, { initScale: 0.5 });
    const out = new Predictive(model, { guide, numSamples: 500, parallel: true, returnSites: ["u"] }).forward(tf.tensor1d([0, 0, 0]));
    const sd = tf.tidy(() => Array.from(tf.moments(out.u!, 0).variance.sqrt().dataSync()));
    for (const v of sd) expect(Math.abs(v - 0.5) / 0.5).toBeLessThan(0.15);
    tf.dispose(Object.values(out));
  });
});
