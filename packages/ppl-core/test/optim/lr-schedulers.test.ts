// The schedulers' lr sequences against their closed forms (torch.optim.lr_scheduler's
// documented formulas), ReduceLROnPlateau against a trace worked out by hand, and a
// scheduler driving SVI on a model whose loss gradient is known in closed form.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CosineAnnealingLR, ExponentialLR, PPLConfigError, ReduceLROnPlateau, SGD, SVI, StepLR, TraceELBO,
  clearParamStore, dist, param, sample,
} from "ppl-core";

function lrs(scheduler: { step(): void; lr: number }, epochs: number): number[] {
  const out = [scheduler.lr];
  for (let e = 0; e < epochs; e++) {
    scheduler.step();
    out.push(scheduler.lr);
  }
  return out;
}

describe("epoch schedulers", () => {
  it("StepLR: base · gamma^⌊epoch / stepSize⌋", () => {
    const got = lrs(new StepLR(new SGD({ lr: 1 }), { stepSize: 3, gamma: 0.5 }), 7);
    expect(got).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it("ExponentialLR: base · gamma^epoch", () => {
    const got = lrs(new ExponentialLR(new SGD({ lr: 0.2 }), { gamma: 0.9 }), 4);
    [0.2, 0.18, 0.162, 0.1458, 0.13122].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it("CosineAnnealingLR: from base to etaMin over tMax epochs", () => {
    const got = lrs(new CosineAnnealingLR(new SGD({ lr: 1 }), { tMax: 4, etaMin: 0.2 }), 4);
    const want = [1, 0.2 + 0.8 * (1 + Math.SQRT1_2) / 2, 0.6, 0.2 + 0.8 * (1 - Math.SQRT1_2) / 2, 0.2];
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
  });

  it("reset goes back to the base lr", () => {
    const s = new ExponentialLR(new SGD({ lr: 1 }), { gamma: 0.5 });
    s.step();
    s.step();
    s.reset();
    expect(s.lr).toBe(1);
  });

  it("refuses a non-optimiser and a scheduler of a scheduler", () => {
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(PPLConfigError);
    const inner = new StepLR(new SGD({ lr: 1 }), { stepSize: 1 });
    expect(() => new ExponentialLR(inner as never, { gamma: 0.5 })).toThrow(/already a scheduler/);
    expect(() => new StepLR(new SGD({ lr: 1 }), { stepSize: 0 })).toThrow(/StepLR: invalid options: stepSize/);
  });
});

describe("ReduceLROnPlateau", () => {
  it("reduces after more than `patience` epochs without a relative improvement, then cools down", () => {
    const s = new ReduceLROnPlateau(new SGD({ lr: 1 }), { patience: 1, factor: 0.5, threshold: 0.1, cooldown: 1 });
    // epoch: metric → (best, bad epochs) → lr
    // 1: 10 → best 10, 0 → 1;  2: 9.5 (not < 9) → 1 bad → 1;  3: 9.2 → 2 bad > 1 → lr 0.5, cooldown 1
    // 4: 9.1 → bad 1, cooling: bad 0 → 0.5;  5: 9.1 → 1 → 0.5;  6: 9.1 → 2 → 0.25;  7: 8 (< 9) → best 8 → 0.25
    const metrics = [10, 9.5, 9.2, 9.1, 9.1, 9.1, 8];
    const want = [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25];
    metrics.forEach((m, i) => {
      s.step(m);
      expect(s.lr, `epoch ${i + 1}`).toBe(want[i]);
    });
  });

  it("never goes below minLr; mode max; refuses NaN", () => {
    const s = new ReduceLROnPlateau(new SGD({ lr: 1 }), { mode: "max", patience: 0, factor: 0.1, minLr: 0.05, thresholdMode: "abs", threshold: 0 });
    s.step(1);
    s.step(1);
    expect(s.lr).toBeCloseTo(0.1, 12);
    s.step(0.5);
    expect(s.lr).toBe(0.05);
    s.step(2);
    expect(s.lr).toBe(0.05);
    expect(() => s.step(Number.NaN)).toThrow(/metric must be a number/);
  });
});

describe("a scheduler as SVI's optimiser", () => {
  beforeEach(() => clearParamStore());

  // loss = ½(3 − μ)² + const, so d loss / dμ = μ − 3 and SGD gives μ ← μ − lr (μ − 3)
  function* model() {
    const mu = yield* param("mu", () => tf.scalar(0));
    yield* sample("y", dist.Normal(mu, 1), { obs: tf.scalar(3) });
  }
  function* guide() {}

  it("the lr each step uses is the scheduler's", () => {
    const scheduler = new StepLR(new SGD({ lr: 0.5 }), { stepSize: 2, gamma: 0.1 });
    const svi = new SVI(model, guide, scheduler, new TraceELBO());
    let mu = 0;
    for (let epoch = 0; epoch < 5; epoch++) {
      svi.step();
      mu -= scheduler.lr * (mu - 3);
      scheduler.step();
    }
    const got = tf.tidy(() => svi.evaluateLoss());
    expect(got).toBeCloseTo(0.5 * (3 - mu) ** 2 + 0.5 * Math.log(2 * Math.PI), 5);
  });
});
