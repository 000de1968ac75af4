// The fused custom-gradient ops (one op in float64 JS each) against closed
// forms in float64, and their gradients against central differences of those.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist } from "ppl-core";
import { sumRightmost, weightedSum } from "ppl-core/internal";
import { dirichletLogProb } from "../../src/ops/dirichlet-logprob.js";
import { logNormalLogProb, normalLogProb, normalLogProbOfNoise } from "../../src/ops/normal-logprob.js";
import { stickBreaking } from "../../src/ops/stick-breaking.js";
import { LOG_2PI, at, checkGradients, expectClose, lgamma64, logBeta64, vals } from "./helpers.js";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shapeOf = (shapes: readonly (readonly number[])[]) => {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
};

describe("normalLogProb and logNormalLogProb", () => {
  // x, loc and scale each broadcast along a different dim
  const x = { values: [0.3, -1.2, 2.5, 0.9, 1.7, 0.05, -0.4, 3.1], shape: [2, 1, 4] };
  const loc = { values: [0.1, -0.5, 1.0], shape: [3, 1] };
  const scale = { values: [0.7, 1.3, 2.2, 0.4], shape: [1, 4] };
  const out = shapeOf([x.shape, loc.shape, scale.shape]);
  const normalRef = ([xs, ms, ss]: number[][]) =>
    Array.from({ length: size(out) }, (_, i) => {
      const z = (at(xs!, x.shape, out, i) - at(ms!, loc.shape, out, i)) / at(ss!, scale.shape, out, i);
      return -0.5 * z * z - Math.log(at(ss!, scale.shape, out, i)) - 0.5 * LOG_2PI;
    });
  const positive = { values: x.values.map((v) => Math.abs(v) + 0.2), shape: x.shape };
  const logNormalRef = ([xs, ms, ss]: number[][]) =>
    Array.from({ length: size(out) }, (_, i) => {
      const lx = Math.log(at(xs!, x.shape, out, i));
      const z = (lx - at(ms!, loc.shape, out, i)) / at(ss!, scale.shape, out, i);
      return -0.5 * z * z - Math.log(at(ss!, scale.shape, out, i)) - 0.5 * LOG_2PI - lx;
    });

  it("match the closed forms under broadcasting", () => {
    tf.tidy(() => {
      const [tx, tm, ts, tp] = [x, loc, scale, positive].map((p) => tf.tensor(p.values, p.shape));
      const n = normalLogProb(tx!, tm!, ts!);
      expect(n.shape).toEqual(out);
      expectClose(vals(n), normalRef([x.values, loc.values, scale.values]), 1e-5, 1e-6, "normal");
      const l = logNormalLogProb(tp!, tm!, ts!);
      expectClose(vals(l), logNormalRef([positive.values, loc.values, scale.values]), 1e-5, 1e-6, "lognormal");
    });
  });

  it("have gradients in value, loc and scale equal to central differences", () => {
    checkGradients((a, b, c) => normalLogProb(a, b, c), normalRef, [x, loc, scale], 2e-3, "normal");
    checkGradients((a, b, c) => logNormalLogProb(a, b, c), logNormalRef, [positive, loc, scale], 2e-3, "lognormal");
  });

  it("match the closed forms and central differences with one value against every state's parameters (an HMM's emissions)", () => {
    // x [2, 3, 1] against loc [3, 4] and scale [4]: each value constant along the runs of 4 states, loc per row
    const ex = { values: [0.3, 1.2, 2.5, 0.9, 1.7, 0.05], shape: [2, 3, 1] };
    const el = { values: [0.1, -0.5, 1.0, 2.0, 0.4, 0.3, -1.1, 0.8, 1.5, -0.2, 0.6, 0.0], shape: [3, 4] };
    const es = { values: [0.7, 1.3, 2.2, 0.4], shape: [4] };
    const eo = [2, 3, 4];
    const ref = (logSpace: boolean) => ([xs, ms, ss]: number[][]) =>
      Array.from({ length: size(eo) }, (_, i) => {
        const v = at(xs!, ex.shape, eo, i);
        const lx = logSpace ? Math.log(v) : v;
        const z = (lx - at(ms!, el.shape, eo, i)) / at(ss!, es.shape, eo, i);
        return -0.5 * z * z - Math.log(at(ss!, es.shape, eo, i)) - 0.5 * LOG_2PI - (logSpace ? lx : 0);
      });
    tf.tidy(() => {
      const [tx, tm, ts] = [ex, el, es].map((p) => tf.tensor(p.values, p.shape));
      expectClose(vals(normalLogProb(tx!, tm!, ts!)), ref(false)([ex.values, el.values, es.values]), 1e-5, 1e-6, "normal");
      expectClose(vals(logNormalLogProb(tx!, tm!, ts!)), ref(true)([ex.values, el.values, es.values]), 1e-5, 1e-6, "lognormal");
    });
    checkGradients((a, b, c) => normalLogProb(a, b, c), ref(false), [ex, el, es], 2e-3, "normal, emissions");
    checkGradients((a, b, c) => logNormalLogProb(a, b, c), ref(true), [ex, el, es], 2e-3, "lognormal, emissions");
  });

  it("give dist.Normal and dist.LogNormal the same values as plain tfjs ops", () => {
    tf.tidy(() => {
      const v = tf.tensor([0.2, 1.5, 3]);
      const m = tf.tensor([[0.1], [-0.3]]);
      const s = tf.tensor([0.5, 1, 2]);
      const z = v.sub(m).div(s);
      const plain = z.square().mul(-0.5).sub(s.log()).sub(0.5 * LOG_2PI);
      expectClose(vals(normalLogProb(v, m, s)), vals(plain), 1e-5, 1e-6);
      const lz = v.log().sub(m).div(s);
      const plainLog = lz.square().mul(-0.5).sub(s.log()).sub(0.5 * LOG_2PI).sub(v.log());
      expectClose(vals(logNormalLogProb(v, m, s)), vals(plainLog), 1e-5, 1e-6);
    });
  });
});

describe("normalLogProbOfNoise", () => {
  // draws x = loc + scale · ε of shape [2, 3, 2], loc and scale [3, 1] broadcast, the last dim one event
  const shape = [2, 3, 2];
  const eps = Float32Array.from([0.3, -1.2, 2.5, 0.9, -0.05, 1.7, -0.4, 3.1, -2.2, 0.6, 1.1, -0.8]);
  const loc = { values: [0.4, -1.1, 2.0], shape: [3, 1] };
  const scale = { values: [0.7, 1.6, 0.3], shape: [3, 1] };
  /** Σ over each event of log N(x | loc, scale) at x = loc + scale · ε, the density written out in float64. */
  const ref = ([ms, ss]: number[][]) =>
    Array.from({ length: 6 }, (_, r) => [0, 1].reduce((acc, k) => {
      const i = r * 2 + k;
      const m = at(ms!, loc.shape, shape, i);
      const sd = at(ss!, scale.shape, shape, i);
      const z = (m + sd * eps[i]! - m) / sd;
      return acc - 0.5 * z * z - Math.log(sd) - 0.5 * LOG_2PI;
    }, 0));

  it("is the Normal log-density of the draw summed over the event (the draw moves with loc, its density does not), with the closed form's gradient in scale", () => {
    tf.tidy(() => {
      const v = normalLogProbOfNoise(tf.tensor(eps, shape), tf.tensor(scale.values, scale.shape), 1);
      expect(v.shape).toEqual([2, 3]);
      expectClose(vals(v), ref([loc.values, scale.values]), 1e-5, 1e-6, "value");
    });
    checkGradients((s) => normalLogProbOfNoise(tf.tensor(eps, shape), s!, 1), ([ss]) => ref([loc.values, ss!]), [scale], 2e-3, "scale");
  });
});

describe("dirichletLogProb", () => {
  const conc = { values: [0.7, 2.5, 1.3, 4, 0.9, 1.6], shape: [2, 3] };
  const value = { values: [0.2, 0.5, 0.3, 0.6, 0.1, 0.3, 0.05, 0.05, 0.9, 0.4, 0.4, 0.2], shape: [2, 2, 3] };
  const ref = ([cs, xs]: number[][]) => {
    const rows = 4;
    return Array.from({ length: rows }, (_, r) => {
      let lp = 0;
      let a0 = 0;
      for (let k = 0; k < 3; k++) {
        const a = cs![(r % 2) * 3 + k]!;
        lp += (a - 1) * Math.log(xs![r * 3 + k]!) - lgamma64(a);
        a0 += a;
      }
      return lp + lgamma64(a0);
    });
  };

  it("matches the closed form, with the concentration broadcast over the value's batch", () => {
    tf.tidy(() => {
      const lp = dirichletLogProb(tf.tensor(conc.values, conc.shape), tf.tensor(value.values, value.shape));
      expect(lp.shape).toEqual([2, 2]);
      expectClose(vals(lp), ref([conc.values, value.values]), 1e-5, 1e-6);
    });
  });

  it("has gradients in the concentration and the value equal to central differences", () => {
    checkGradients((c, x) => dirichletLogProb(c, x), ref, [conc, value], 2e-3, "dirichlet");
  });

  it("keeps xlogy's 0 log 0 = 0 where the concentration is 1, with a zero gradient there", () => {
    tf.tidy(() => {
      const x = tf.tensor([0, 0.4, 0.6]);
      const c = tf.tensor([1, 2, 3]);
      const want = Math.log(0.4) + 2 * Math.log(0.6) - lgamma64(1) - lgamma64(2) - lgamma64(3) + lgamma64(6);
      expectClose(vals(dirichletLogProb(c, x)), [want], 1e-5, 1e-6);
      const g = tf.grad((v: tf.Tensor) => dirichletLogProb(c, v))(x);
      expectClose(vals(g), [0, 1 / 0.4, 2 / 0.6], 1e-5, 1e-5);
    });
  });
});

describe("Beta's fused log-density", () => {
  // value, concentration1 and concentration0 each broadcast along a different dim
  const x = { values: [0.3, 0.05, 0.7, 0.92, 0.5, 0.15], shape: [2, 1, 3] };
  const a = { values: [0.6, 2.5, 1.4, 7], shape: [4, 1] };
  const b = { values: [3.2, 0.8, 1.9], shape: [1, 3] };
  const out = shapeOf([x.shape, a.shape, b.shape]);
  const ref = ([xs, as, bs]: number[][]) =>
    Array.from({ length: size(out) }, (_, i) => {
      const [v, p, q] = [at(xs!, x.shape, out, i), at(as!, a.shape, out, i), at(bs!, b.shape, out, i)];
      return (p - 1) * Math.log(v) + (q - 1) * Math.log1p(-v) - logBeta64(p, q);
    });
  const beta = (v: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => dist.Beta(p, q).logProb(v);

  it("matches the closed form under broadcasting", () => {
    tf.tidy(() => {
      const lp = beta(...([x, a, b].map((p) => tf.tensor(p.values, p.shape)) as [tf.Tensor, tf.Tensor, tf.Tensor]));
      expect(lp.shape).toEqual(out);
      expectClose(vals(lp), ref([x.values, a.values, b.values]), 1e-5, 1e-6);
    });
  });

  it("has gradients in the value and both concentrations equal to central differences", () => {
    checkGradients(beta, ref, [x, a, b], 2e-3, "beta");
  });

  it("keeps xlogy's 0 log 0 = 0 where a concentration is 1 and the value at its end, with zero gradients there", () => {
    tf.tidy(() => {
      const v = tf.tensor1d([0, 1]);
      const [p, q] = [tf.tensor1d([1, 2]), tf.tensor1d([3, 1])];
      // at 0: 2 log 1 - log B(1, 3); at 1: log 1 - log B(2, 1)
      expectClose(vals(beta(v, p, q)), [-logBeta64(1, 3), -logBeta64(2, 1)], 1e-6, 1e-6);
      const [gv, gp, gq] = tf.grads((s: tf.Tensor, t: tf.Tensor, u: tf.Tensor) => beta(s, t, u).sum())([v, p, q]);
      // d/dx at 0: (a-1)/x is dropped, -(b-1)/(1-x) = -2; at 1: (a-1)/x = 1, the other dropped
      expectClose(vals(gv!), [-2, 1], 1e-6, 1e-6);
      // d/da = log x - ψ(a) + ψ(a+b) with log x dropped at 0: ψ(4) - ψ(1) = 1 + 1/2 + 1/3; at 1: 0 - ψ(2) + ψ(3) = 1/2
      expectClose(vals(gp!), [1 + 1 / 2 + 1 / 3, 1 / 2], 1e-5, 1e-5);
      // d/db = log(1-x) - ψ(b) + ψ(a+b): at 0: -ψ(3) + ψ(4) = 1/3; at 1, log(1-x) dropped: ψ(3) - ψ(1) = 1 + 1/2
      expectClose(vals(gq!), [1 / 3, 1 + 1 / 2], 1e-5, 1e-5);
    });
  });
});

describe("stickBreaking", () => {
  const x = { values: [0.3, -1.1, 2.0, -0.5, 0.0, 4.2], shape: [2, 3] };
  // float64 stick-breaking with Pyro's offset: x = 0 maps to the uniform point
  const ref = ([xs]: number[][]) => {
    const out: number[] = [];
    for (let r = 0; r < 2; r++) {
      let rest = 1;
      for (let i = 0; i < 3; i++) {
        const z = 1 / (1 + Math.exp(-(xs![r * 3 + i]! - Math.log(3 - i))));
        out.push(z * rest);
        rest *= 1 - z;
      }
      out.push(rest);
    }
    return out;
  };

  it("maps onto the simplex as the closed form does, 0 to the uniform point", () => {
    tf.tidy(() => {
      const y = stickBreaking(tf.tensor(x.values, x.shape));
      expect(y.shape).toEqual([2, 4]);
      expectClose(vals(y), ref([x.values]), 1e-6, 1e-6);
      expectClose(vals(stickBreaking(tf.zeros([3]))), [0.25, 0.25, 0.25, 0.25], 1e-7, 1e-6);
    });
  });

  it("has a gradient equal to central differences", () => {
    checkGradients((a) => stickBreaking(a), ref, [x], 2e-3, "stickBreaking");
  });
});

describe("weightedSum and sumRightmost", () => {
  const a = { values: [0.5, -1, 2, 3.5, 0.25, -0.75], shape: [2, 3] };
  const b = { values: [4, -2.5], shape: [2] };
  const c = { values: [1.5], shape: [] };

  it("weightedSum adds every element of every term times its weight, as plain tfjs sums do", () => {
    tf.tidy(() => {
      const ts = [a, b, c].map((p) => tf.tensor(p.values, p.shape));
      const plain = ts[0]!.sum().mul(2).add(ts[1]!.sum().mul(-0.5)).add(ts[2]!.sum().mul(3));
      expectClose(vals(weightedSum(ts, [2, -0.5, 3])), vals(plain), 1e-6, 1e-6);
      expect(weightedSum(ts, [2, -0.5, 3]).shape).toEqual([]);
    });
    checkGradients(
      (p, q, r) => weightedSum([p, q, r], [2, -0.5, 3]),
      ([ps, qs, rs]) => [2 * ps!.reduce((s, v) => s + v, 0) - 0.5 * qs!.reduce((s, v) => s + v, 0) + 3 * rs![0]!],
      [a, b, c],
      1e-3,
      "weightedSum",
    );
  });

  it("sumRightmost sums the last n dims like tf.sum, with a broadcast gradient", () => {
    const x = { values: Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3), shape: [2, 3, 4] };
    tf.tidy(() => {
      const t = tf.tensor(x.values, x.shape);
      expectClose(vals(sumRightmost(t, 2)), vals(t.sum([1, 2])), 1e-5, 1e-6);
      expectClose(vals(sumRightmost(t, 1)), vals(t.sum(2)), 1e-5, 1e-6);
      expect(sumRightmost(t, 3).shape).toEqual([]);
    });
    checkGradients(
      (t) => sumRightmost(t, 2),
      ([xs]) => [0, 1].map((r) => xs!.slice(r * 12, (r + 1) * 12).reduce((s, v) => s + v, 0)),
      [x],
      1e-3,
      "sumRightmost",
    );
  });
});

describe("Bernoulli's fused log-mass at the edges of its support", () => {
  it("probs are clamped to [eps, 1 - eps] (torch's clamp_probs, eps = 2^-23): finite values, gradient 0 where the clamp bites", () => {
    const eps = 2 ** -23;
    const p = tf.tensor1d([0, 1, 0.25]);
    const lp = (v: number[]) => Array.from(dist.Bernoulli(p).logProb(tf.tensor1d(v)).dataSync());
    expect(lp([0, 1, 1])).toEqual([Math.fround(Math.log1p(-eps)), Math.fround(Math.log1p(-eps)), Math.fround(Math.log(0.25))]);
    expect(lp([1, 0, 0])).toEqual([Math.fround(Math.log(eps)), Math.fround(Math.log(eps)), Math.fround(Math.log(0.75))]);
    // d/dp of v log c + (1-v) log(1-c), c = clamp(p): 0 at p = 0 and 1 (outside [eps, 1 - eps]), 1/0.25 inside
    for (const v of [[0, 1, 1], [1, 0, 1]]) {
      const g = tf.grad((q: tf.Tensor) => dist.Bernoulli(q).logProb(tf.tensor1d(v)).sum())(p).dataSync();
      expect(Array.from(g)).toEqual([0, 0, 4]);
    }
  });

  it("the same with the probs broadcast over rows of values (the per-parameter tables)", () => {
    const eps = 2 ** -23;
    const p = tf.tensor1d([0, 1, 0.25]);
    const v = [[0, 1, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]];
    const lp = Array.from(dist.Bernoulli(p).logProb(tf.tensor2d(v)).dataSync());
    const at = (q: number, x: number) => Math.fround(x === 1 ? Math.log(q) : Math.log1p(-q));
    const expected = v.flatMap((row) => row.map((x, j) => at([eps, 1 - eps, 0.25][j]!, x)));
    expectClose(lp, expected, 1e-7, 1e-7, "log-mass");
    // Σ over rows of 1/c or -1/(1 - c): 0 where the clamp bites; 1/0.25 twice and -1/0.75 twice for the third
    const g = tf.grad((q: tf.Tensor) => dist.Bernoulli(q).logProb(tf.tensor2d(v)).sum())(p).dataSync();
    expectClose(Array.from(g), [0, 0, 2 * 4 - 2 / 0.75], 1e-6, 0, "d/dp");
  });
});

describe("Bernoulli's fused log-mass, with its parameter broadcast over the values (a table per parameter) or read once each", () => {
  // values of 0, 1 and between (a relaxed value: v log p + (1 - v) log(1 - p)), and of 0 and 1 only (one log per value)
  const valueSets = {
    relaxed: [1, 0, 0.3, 1, 0, 1, 0.75, 0, 1, 1, 0, 0.5],
    binary: [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0],
  };
  const logSigmoid64 = (l: number) => -Math.log1p(Math.exp(-l));
  const ref = (kind: "probs" | "logits", v: number, q: number) => {
    const [l1, l0] = kind === "probs" ? [Math.log(q), Math.log1p(-q)] : [logSigmoid64(q), logSigmoid64(-q)];
    return v * l1 + (1 - v) * l0;
  };
  const cases = [
    // [what, param values, param shape]: the value is [4, 3]
    ["read once each", [0.2, 0.9, 0.5, 0.35, 0.6, 0.05, 0.8, 0.45, 0.3, 0.7, 0.15, 0.55], [4, 3]],
    ["broadcast over the rows", [0.2, 0.9, 0.5], [3]],
  ] as const;
  for (const [valuesWhat, values] of Object.entries(valueSets)) for (const kind of ["probs", "logits"] as const) {
    for (const [what, ps, shape] of cases) {
      const param = kind === "probs" ? [...ps] : ps.map((q) => Math.log(q / (1 - q)) * 2);
      const f = (p: tf.Tensor) => (kind === "probs" ? dist.Bernoulli(p) : dist.Bernoulli({ logits: p })).logProb(tf.tensor(values, [4, 3]));
      const expected = (ps64: readonly number[]) => values.map((v, i) => ref(kind, v, at([...ps64], [...shape], [4, 3], i)));
      it(`${kind}, ${what}, ${valuesWhat} values: the closed form, and a gradient equal to central differences`, () => {
        tf.tidy(() => {
          expectClose(vals(f(tf.tensor(param, [...shape]))), expected(param), 1e-6, 1e-6, "log-mass");
          const g = vals(tf.grad((p: tf.Tensor) => f(p).sum())(tf.tensor(param, [...shape])));
          const h = 1e-6;
          const fd = param.map((_, j) => {
            const bumped = (d: number) => expected(param.map((q, k) => (k === j ? q + d : q))).reduce((a, b) => a + b, 0);
            return (bumped(h) - bumped(-h)) / (2 * h);
          });
          expectClose(g, fd, 1e-4, 1e-4, "d/dparam");
        });
      });
    }
  }
});
