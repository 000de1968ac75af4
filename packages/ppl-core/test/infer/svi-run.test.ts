// SVI.run: the loss history, the callback, and early stopping, on a model whose
// SGD trajectory is known in closed form: loss = ½(3 − μ)² + ½ log 2π, μ_t = 3 − 3(1 − lr)^t.
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import { PPLConfigError, SGD, SVI, TraceELBO, clearParamStore, dist, param, sample } from "ppl-core";

function* model() {
  const mu = yield* param("mu", () => tf.scalar(0));
  yield* sample("y", dist.Normal(mu, 1), { obs: tf.scalar(3) });
}
function* guide() {}
const C = 0.5 * Math.log(2 * Math.PI);
const lossAt = (t: number, lr: number) => 0.5 * (3 * (1 - lr) ** t) ** 2 + C;

describe("SVI.run", () => {
  beforeEach(() => clearParamStore());

  it("returns every step's loss (the loss before each update)", () => {
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    const { losses, stoppedBy } = svi.run(20, []);
    expect(stoppedBy).toBe("steps");
    expect(losses).toHaveLength(20);
    losses.forEach((l, t) => expect(l).toBeCloseTo(lossAt(t, 0.1), 4));
  });

  it("stops when the callback returns false, after calling it with each step", () => {
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    const seen: number[] = [];
    const { losses, stoppedBy } = svi.run(100, [], { onStep: (i) => { seen.push(i); return i < 4; } });
    expect(stoppedBy).toBe("callback");
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(losses).toHaveLength(5);
  });

  it("stops early when the windowed relative change falls below the tolerance", () => {
    const lr = 0.2;
    const svi = new SVI(model, guide, new SGD({ lr }), new TraceELBO());
    const window = 5;
    const tolerance = 1e-3;
    const { losses, stoppedBy } = svi.run(500, [], { tolerance, window });
    expect(stoppedBy).toBe("converged");
    // the first n ≥ 2·window at which the closed-form curve's windowed change is below the tolerance
    const curve = Array.from({ length: 500 }, (_, t) => lossAt(t, lr));
    const mean = (a: number, b: number) => curve.slice(a, b).reduce((s, x) => s + x, 0) / (b - a);
    let n = 2 * window;
    while (Math.abs(mean(n - 2 * window, n - window) - mean(n - window, n)) / Math.max(Math.abs(mean(n - window, n)), 1) >= tolerance) n++;
    expect(losses).toHaveLength(n);
  });

  it("names a bad option", () => {
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    expect(() => svi.run(0, [])).toThrow(/numSteps must be a positive integer, got 0/);
    expect(() => svi.run(10, [], { tolerance: -1 })).toThrow(PPLConfigError);
    expect(() => svi.run(10, [], { window: 0 } as never)).toThrow(/SVI.run: invalid options: window/);
    expect(() => svi.run(10, [], { onStep: 3 } as never)).toThrow(/onStep/);
    expect(() => svi.run(10, "x" as never)).toThrow(/args must be the array/);
  });
});
