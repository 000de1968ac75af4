// Each update rule against the same rule written out here in float64 from
// its paper / torch.optim's documented algorithm, fed the same gradients; the
// params are float32, so agreement is to float32 rounding.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adagrad, AdamW, type Optimizer, PPLConfigError, RMSprop, SGD } from "ppl-core";

const N = 5;
const INIT = Array.from({ length: N }, (_, i) => Math.sin(i + 1) * 2);
/** Step t's gradient (1-based), over several magnitudes. */
const grad = (t: number, x: number[]) => x.map((xi, i) => Math.cos(2.3 * t + i) * 10 ** ((i % 3) - 1) + 0.1 * xi);

/** Runs `optim` for `steps` steps; the reference `ref(t, x, g)` mutates its float64 copy of x. */
function compare(optim: Optimizer, ref: (t: number, x: number[], g: number[]) => void, steps = 12) {
  const v = tf.variable(tf.tensor(INIT, [N]));
  const x = [...INIT];
  for (let t = 1; t <= steps; t++) {
    // the gradient at the param's current (float32) value, so both sides see the same numbers
    const g = grad(t, Array.from(v.dataSync()));
    const gt = tf.tensor(g, [N]);
    optim.apply(new Map([["x", gt]]), new Map([["x", v]]));
    gt.dispose();
    ref(t, x, g);
    const got = Array.from(v.dataSync());
    for (let i = 0; i < N; i++) expect(got[i], `step ${t}, element ${i}`).toBeCloseTo(x[i]!, 5);
    // keep the reference on the float32 trajectory
    for (let i = 0; i < N; i++) x[i] = got[i]!;
  }
  v.dispose();
}

describe("SGD", () => {
  it("plain: x -= lr g", () => {
    compare(new SGD({ lr: 0.1 }), (_t, x, g) => { for (let i = 0; i < N; i++) x[i]! -= 0.1 * g[i]!; });
  });

  it("momentum with dampening and weight decay (torch.optim.SGD)", () => {
    const b = new Array<number>(N).fill(0);
    const [lr, mu, damp, wd] = [0.05, 0.9, 0.3, 0.01];
    compare(new SGD({ lr, momentum: mu, dampening: damp, weightDecay: wd }), (t, x, g) => {
      for (let i = 0; i < N; i++) {
        const d = g[i]! + wd * x[i]!;
        b[i] = t === 1 ? d : mu * b[i]! + (1 - damp) * d;
        x[i]! -= lr * b[i]!;
      }
    });
  });

  it("Nesterov: the step is g + momentum·b", () => {
    const b = new Array<number>(N).fill(0);
    compare(new SGD({ lr: 0.05, momentum: 0.8, nesterov: true }), (t, x, g) => {
      for (let i = 0; i < N; i++) {
        b[i] = t === 1 ? g[i]! : 0.8 * b[i]! + g[i]!;
        x[i]! -= 0.05 * (g[i]! + 0.8 * b[i]!);
      }
    });
  });

  it("one hand-computed step", () => {
    const v = tf.variable(tf.tensor([1, -2], [2]));
    const optim = new SGD({ lr: 0.5, momentum: 0.9 });
    const g = tf.tensor([0.2, 0.4], [2]);
    optim.apply(new Map([["x", g]]), new Map([["x", v]]));
    expect(Array.from(v.dataSync())).toEqual([0.9, -2.2].map(Math.fround));
    // second step: b = 0.9·g + g = 1.9 g
    optim.apply(new Map([["x", g]]), new Map([["x", v]]));
    expect(Array.from(v.dataSync())[0]).toBeCloseTo(0.9 - 0.5 * 1.9 * 0.2, 6);
    tf.dispose([v, g]);
  });

  it("refuses a missing lr and Nesterov without momentum, naming the option", () => {
    expect(() => new SGD({} as never)).toThrow(/SGD: invalid options: lr/);
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow(PPLConfigError);
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => new SGD({ lr: -1 })).toThrow(/lr/);
  });
});

describe("RMSprop", () => {
  it("plain (torch.optim.RMSprop defaults)", () => {
    const sq = new Array<number>(N).fill(0);
    compare(new RMSprop({ lr: 0.01 }), (_t, x, g) => {
      for (let i = 0; i < N; i++) {
        sq[i] = 0.99 * sq[i]! + 0.01 * g[i]! ** 2;
        x[i]! -= (0.01 * g[i]!) / (Math.sqrt(sq[i]!) + 1e-8);
      }
    });
  });

  it("centred with momentum", () => {
    const sq = new Array<number>(N).fill(0);
    const mean = new Array<number>(N).fill(0);
    const b = new Array<number>(N).fill(0);
    compare(new RMSprop({ lr: 0.02, alpha: 0.9, momentum: 0.5, centered: true }), (_t, x, g) => {
      for (let i = 0; i < N; i++) {
        sq[i] = 0.9 * sq[i]! + 0.1 * g[i]! ** 2;
        mean[i] = 0.9 * mean[i]! + 0.1 * g[i]!;
        b[i] = 0.5 * b[i]! + g[i]! / (Math.sqrt(sq[i]! - mean[i]! ** 2) + 1e-8);
        x[i]! -= 0.02 * b[i]!;
      }
    });
  });
});

describe("Adagrad", () => {
  it("with lr decay and an initial accumulator", () => {
    const s = new Array<number>(N).fill(0.1);
    compare(new Adagrad({ lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 }), (t, x, g) => {
      const clr = 0.1 / (1 + (t - 1) * 0.05);
      for (let i = 0; i < N; i++) {
        s[i]! += g[i]! ** 2;
        x[i]! -= (clr * g[i]!) / (Math.sqrt(s[i]!) + 1e-10);
      }
    });
  });
});

describe("AdamW", () => {
  it("decays the weights apart from the moments (torch.optim.AdamW)", () => {
    const m = new Array<number>(N).fill(0);
    const v = new Array<number>(N).fill(0);
    const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.1];
    compare(new AdamW({ lr, weightDecay: wd }), (t, x, g) => {
      for (let i = 0; i < N; i++) {
        x[i]! *= 1 - lr * wd;
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        x[i]! -= (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps);
      }
    });
  });
});

describe("reset and lr", () => {
  it("reset forgets the state: the next step is a first step again", () => {
    const optim = new SGD({ lr: 1, momentum: 0.9 });
    const v = tf.variable(tf.tensor([0], [1]));
    const g = tf.tensor([1], [1]);
    optim.apply(new Map([["x", g]]), new Map([["x", v]]));
    optim.reset();
    optim.apply(new Map([["x", g]]), new Map([["x", v]]));
    // two first steps of size 1, not 1 + 1.9
    expect(v.dataSync()[0]).toBe(-2);
    optim.lr = 0.5;
    optim.apply(new Map([["x", g]]), new Map([["x", v]]));
    // b = 0.9 + 1 = 1.9 at lr 0.5
    expect(v.dataSync()[0]).toBeCloseTo(-2 - 0.95, 6);
    tf.dispose([v, g]);
  });
});
