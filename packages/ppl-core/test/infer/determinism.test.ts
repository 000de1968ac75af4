// Determinism: setRngSeed(n) then 50 SVI steps gives bit-identical losses, on
// the cpu backend and on wasm; another seed gives other losses.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Adam, SVI, TraceELBO, clearParamStore, constraints, dist, getParamStore, param, plate, sample, setRngSeed,
} from "ppl-core";

const data = tf.tensor1d([0.3, -1.2, 2.2, 0.9, 1.7, -0.4, 0.8, 1.1, 2.9, 0.1]);

function* model(x: tf.Tensor) {
  const mu = yield* sample("mu", dist.Normal(0, 5));
  const sigma = yield* sample("sigma", dist.LogNormal(0, 1));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("obs", dist.Normal(mu, sigma), { obs: x });
  });
}

function* guide(_x: tf.Tensor) {
  const m = yield* param("m", tf.scalar(0));
  const s = yield* param("s", tf.scalar(1), { constraint: constraints.positive });
  const lm = yield* param("lm", tf.scalar(0));
  const ls = yield* param("ls", tf.scalar(0.5), { constraint: constraints.positive });
  yield* sample("mu", dist.Normal(m, s));
  yield* sample("sigma", dist.LogNormal(lm, ls));
}

/** 50 steps from a fresh ParamStore; losses as float32 bit patterns, and the final params. */
function fit(seed: number): { losses: number[]; params: number[] } {
  clearParamStore();
  setRngSeed(seed);
  const svi = new SVI(model, guide, new Adam({ lr: 0.05 }), new TraceELBO({ numParticles: 2 }));
  const losses: number[] = [];
  for (let i = 0; i < 50; i++) losses.push(svi.step(data));
  const v = getParamStore().values();
  const params = ["m", "s", "lm", "ls"].map((k) => v[k] as number);
  svi.optim.reset();
  clearParamStore();
  return { losses, params };
}

const bits = (xs: number[]) => Array.from(new Uint32Array(Float32Array.from(xs).buffer));

describe("same seed, same losses", () => {
  let original: string;
  beforeAll(() => {
    original = tf.getBackend();
  });
  afterAll(async () => {
    await tf.setBackend(original);
  });

  for (const backend of ["cpu", "wasm"] as const) {
    it(`on ${backend}: bit-identical losses over 50 steps for one seed, different for another`, async () => {
      if (backend === "wasm" && tf.findBackendFactory("wasm") === null) await import("@tensorflow/tfjs-backend-wasm");
      expect(await tf.setBackend(backend)).toBe(true);
      expect(tf.getBackend()).toBe(backend);
      const a = fit(2024);
      const b = fit(2024);
      const c = fit(7);
      expect(bits(a.losses)).toEqual(bits(b.losses));
      expect(bits(a.params)).toEqual(bits(b.params));
      expect(a.losses.every(Number.isFinite)).toBe(true);
      // another seed: other draws, so (almost) every loss differs
      const differing = a.losses.filter((x, i) => x !== c.losses[i]).length;
      expect(differing).toBeGreaterThan(45);
      // the fit moves: the losses are not all the same number
      expect(new Set(a.losses).size).toBeGreaterThan(40);
      await tf.setBackend(original);
    });
  }
});
