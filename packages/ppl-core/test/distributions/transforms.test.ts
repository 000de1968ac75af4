// Every transform round-trips, and its log|det J| matches the log-determinant of a
// finite-difference Jacobian (over the coordinates the map actually uses:
// the first K-1 simplex coordinates, the lower triangle of a matrix).
// Also bijectTo / transformTo for every constraint, and TransformedDistribution.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, bijectTo, constraints, dist, transformTo, transforms, type Transform } from "ppl-core";
import { expectClose, vals } from "./helpers.js";

/** log|det M| of a square float64 matrix by Gaussian elimination with partial pivoting. */
function logAbsDet(m: number[][]): number {
  const a = m.map((r) => [...r]);
  const n = a.length;
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    s += Math.log(Math.abs(a[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return s;
}

interface Case {
  name: string;
  t: Transform;
  x: number[];
  shape: number[];
  /** Indices of x that are free coordinates, and of y that are the image coordinates. */
  inIdx?: number[];
  outIdx?: number[];
  check: (y: number[]) => boolean;
}

const lowerIdx = (n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out.push(i * n + j);
  return out;
};

const cases: Case[] = [
  { name: "Exp", t: new transforms.ExpTransform(), x: [-2, 0.3, 1.7], shape: [3], check: (y) => y.every((v) => v > 0) },
  { name: "Sigmoid", t: new transforms.SigmoidTransform(), x: [-3, 0, 2.2], shape: [3], check: (y) => y.every((v) => v > 0 && v < 1) },
  { name: "Affine (tensor loc and scale)", t: new transforms.AffineTransform(tf.tensor1d([1, -2, 0]), tf.tensor1d([2, -0.5, 3])), x: [0.5, 1, -1], shape: [3], check: () => true },
  { name: "StickBreaking", t: new transforms.StickBreakingTransform(), x: [0.3, -1.2, 0.8], shape: [3], outIdx: [0, 1, 2], check: (y) => Math.abs(y.reduce((a, b) => a + b) - 1) < 1e-5 && y.every((v) => v > 0) },
  { name: "SoftmaxCentered", t: new transforms.SoftmaxCenteredTransform(), x: [0.3, -1.2, 0.8], shape: [3], outIdx: [0, 1, 2], check: (y) => Math.abs(y.reduce((a, b) => a + b) - 1) < 1e-5 && y.every((v) => v > 0) },
  { name: "LowerCholesky", t: new transforms.LowerCholeskyTransform(), x: [0.2, 0, 0, -0.7, 0.5, 0, 1.1, 0.3, -0.4], shape: [3, 3], inIdx: lowerIdx(3), outIdx: lowerIdx(3), check: (y) => y[1] === 0 && y[0]! > 0 && y[8]! > 0 },
  { name: "Cholesky (positive definite -> factor)", t: new transforms.CholeskyTransform(), x: [4, 2, 0.6, 2, 3, 0.4, 0.6, 0.4, 2], shape: [3, 3], inIdx: lowerIdx(3), outIdx: lowerIdx(3), check: (y) => y[2] === 0 },
  { name: "inv(Cholesky) (factor -> positive definite)", t: new transforms.CholeskyTransform().inv, x: [1.2, 0, 0, 0.4, 0.8, 0, -0.5, 0.3, 1.5], shape: [3, 3], inIdx: lowerIdx(3), outIdx: lowerIdx(3), check: (y) => Math.abs(y[1]! - y[3]!) < 1e-6 },
  { name: "Compose(Sigmoid, Affine)", t: bijectTo(constraints.interval(-2, 3)), x: [-1, 0.5, 2], shape: [3], check: (y) => y.every((v) => v > -2 && v < 3) },
  { name: "Compose(Exp, Affine)", t: bijectTo(constraints.greaterThan(2)), x: [-1, 0.5, 2], shape: [3], check: (y) => y.every((v) => v > 2) },
  // number-scale affine parts add their log|scale| as a number: before, between and after a part that computes
  { name: "Compose(Affine, Sigmoid, Affine) (number bounds)", t: new transforms.ComposeTransform([new transforms.AffineTransform(0.5, 2), new transforms.SigmoidTransform(), new transforms.AffineTransform(-1, 3)]),
    x: [-1, 0.5, 2], shape: [3], check: (y) => y.every((v) => v > -1 && v < 2) },
  { name: "Compose(Affine, Affine) (number bounds only)", t: new transforms.ComposeTransform([new transforms.AffineTransform(1, 2), new transforms.AffineTransform(-3, -0.5)]),
    x: [-1, 0.5, 2], shape: [3], check: () => true },
  { name: "Compose(LowerCholesky, inv(Cholesky))", t: bijectTo(constraints.positiveDefinite), x: [0.2, 0, 0, -0.7, 0.5, 0, 1.1, 0.3, -0.4], shape: [3, 3], inIdx: lowerIdx(3), outIdx: lowerIdx(3), check: (y) => Math.abs(y[1]! - y[3]!) < 1e-6 },
];

/** The forward map in float64-in, float32-computed, restricted to the free coordinates. */
function restricted(c: Case): (u: number[]) => number[] {
  return (u) => {
    const x = [...c.x];
    (c.inIdx ?? x.map((_, i) => i)).forEach((k, i) => (x[k] = u[i]!));
    // the Cholesky transform needs a symmetric input: mirror the lower triangle
    if (c.name.startsWith("Cholesky")) for (let i = 0; i < 3; i++) for (let j = 0; j < i; j++) x[j * 3 + i] = x[i * 3 + j]!;
    const y = tf.tidy(() => vals(c.t.forward(tf.tensor(x, c.shape))));
    return (c.outIdx ?? y.map((_, i) => i)).map((k) => y[k]!);
  };
}

describe("transforms", () => {
  for (const c of cases) {
    it(`${c.name}: round-trips, lands in its codomain, and log|det J| matches a finite-difference Jacobian`, () => {
      const x = tf.tensor(c.x, c.shape);
      const y = c.t.forward(x);
      expect(c.check(vals(y))).toBe(true);
      const back = c.t.inverse(y);
      const free = c.inIdx ?? c.x.map((_, i) => i);
      expectClose(free.map((k) => vals(back)[k]!), free.map((k) => c.x[k]!), 1e-5, 1e-4, "round trip");
      expect(tf.tidy(() => c.t.codomain.check(y).all().dataSync()[0])).toBe(1);
      const ladj = vals(c.t.logAbsDetJacobian(x, y));
      // central differences, Richardson-extrapolated, on the free coordinates
      const f = restricted(c);
      const u0 = free.map((k) => c.x[k]!);
      const h = 1e-2;
      const cols = u0.map((_, j) => {
        const d = (s: number) => {
          const up = [...u0];
          const dn = [...u0];
          up[j]! += s;
          dn[j]! -= s;
          const a = f(up);
          const b = f(dn);
          return a.map((v, i) => (v - b[i]!) / (2 * s));
        };
        const d1 = d(h);
        const d2 = d(h / 2);
        return d1.map((v, i) => (4 * d2[i]! - v) / 3);
      });
      const J = cols[0]!.map((_, i) => cols.map((col) => col[i]!));
      const total = c.t.eventDim === 0 ? ladj.reduce((a, b) => a + b, 0) : ladj[0]!;
      const want = c.t.eventDim === 0 ? J.reduce((s, row, i) => s + Math.log(Math.abs(row[i]!)), 0) : logAbsDet(J);
      expect(total).toBeCloseTo(want, 3);
      tf.dispose([x, y, back]);
    });
  }

  it("inverse of an inverse is the original; composed shapes follow the parts", () => {
    const sb = new transforms.StickBreakingTransform();
    expect(sb.inv.inv).toBe(sb);
    expect(sb.forwardShape([5, 3])).toEqual([5, 4]);
    expect(sb.inv.forwardShape([5, 4])).toEqual([5, 3]);
  });
});

describe("SoftmaxTransform (torch's, not bijective)", () => {
  const t = new transforms.SoftmaxTransform();
  const x = [[0.3, -1.2, 0.8, 2.1], [-0.5, 0, 0.5, -3]];

  it("forward is softmax over the last dim, inverse is log; an unnormalised y comes back normalised", () => {
    tf.tidy(() => {
      const y = t.forward(tf.tensor2d(x)).arraySync() as number[][];
      x.forEach((row, i) => {
        const e = row.map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        expectClose(y[i]!, e.map((v) => v / s), 1e-6, 1e-5, `row ${i}`);
      });
      const raw = [0.42, 0.9, 0.15, 1.3];
      expectClose(vals(t.inverse(tf.tensor1d(raw))), raw.map(Math.log), 1e-6, 1e-6, "inverse");
      const sum = raw.reduce((a, b) => a + b, 0);
      expectClose(vals(t.forward(t.inverse(tf.tensor1d(raw)))), raw.map((v) => v / sum), 1e-6, 1e-5, "normalised");
      // not injective: a constant shift of x gives the same y
      expectClose(vals(t.forward(tf.tensor2d(x).add(5))), y.flat(), 1e-6, 1e-5, "shift");
      expect(t.forwardShape([2, 4])).toEqual([2, 4]);
      expect(t.inverseShape([2, 4])).toEqual([2, 4]);
    });
  });

  it("has no log|det J|: the error says it is not bijective and to use bijectTo", () => {
    const xt = tf.tensor2d(x);
    const y = t.forward(xt);
    for (const tr of [t, t.inv]) {
      expect(tr.bijective).toBe(false);
      expect(() => tr.logAbsDetJacobian(xt, y)).toThrow(PPLConfigError);
      expect(() => tr.logAbsDetJacobian(xt, y)).toThrow(/not bijective.*use bijectTo\(simplex\)/);
    }
    tf.dispose([xt, y]);
  });
});

describe("bijectTo and transformTo", () => {
  // name, constraint, bijectTo's unconstrained shape, the constrained shape, transformTo's unconstrained shape if other
  const targets: [string, constraints.Constraint, number[], number[], number[]?][] = [
    ["real", constraints.real, [3], [3]],
    ["positive", constraints.positive, [3], [3]],
    ["nonnegative", constraints.nonnegative, [3], [3]],
    ["greaterThan(2)", constraints.greaterThan(2), [3], [3]],
    ["unitInterval", constraints.unitInterval, [3], [3]],
    ["interval(-1, 4)", constraints.interval(-1, 4), [3], [3]],
    ["interval(tensor, tensor)", constraints.interval(tf.tensor1d([0, 1, 2]), tf.tensor1d([1, 5, 2.5])), [3], [3]],
    ["simplex", constraints.simplex, [3], [4], [4]],
    ["lowerCholesky", constraints.lowerCholesky, [3, 3], [3, 3]],
    ["positiveDefinite", constraints.positiveDefinite, [3, 3], [3, 3]],
  ];
  for (const [name, c, bijectShape, outShape, transformShape] of targets) {
    it(`maps unconstrained values into ${name} and back`, () => {
      for (const [t, inShape] of [[bijectTo(c), bijectShape], [transformTo(c), transformShape ?? bijectShape]] as const) {
        tf.tidy(() => {
          const u = tf.randomNormal(inShape, 0, 1, "float32", 3);
          const y = t.forward(u);
          expect(y.shape).toEqual(outShape);
          expect(vals(c.check(y)).every((v) => v === 1)).toBe(true);
          expect(t.inverseShape(outShape)).toEqual(inShape);
          const u2 = t.inverse(y);
          // lowerCholesky and positiveDefinite drop the upper triangle of the unconstrained matrix
          const again = t.forward(u2);
          expectClose(vals(again), vals(y), 1e-4, 1e-4, name);
        });
      }
    });
  }

  it("transformTo(simplex) is Pyro's softmax of K numbers, bijectTo(simplex) stick-breaking", () => {
    expect(transformTo(constraints.simplex)).toBeInstanceOf(transforms.SoftmaxTransform);
    expect(transformTo(constraints.independent(constraints.simplex, 1))).toBeInstanceOf(transforms.SoftmaxTransform);
    expect(bijectTo(constraints.simplex)).toBeInstanceOf(transforms.StickBreakingTransform);
    expect(transformTo(constraints.simplex).bijective).toBe(false);
    expect(bijectTo(constraints.simplex).bijective).toBe(true);
  });

  it("discrete constraints have no bijection, and the error says to enumerate", () => {
    for (const c of [constraints.boolean, constraints.nonnegativeInteger, constraints.integerInterval(0, 3)]) {
      expect(() => bijectTo(c)).toThrow(PPLConfigError);
      expect(() => bijectTo(c)).toThrow(/discrete, so it cannot be learned by gradient \(enumerate it instead\)/);
    }
  });

  it("discrete constraints check membership", () => {
    tf.tidy(() => {
      const v = tf.tensor1d([0, 1, 2, 0.5, -1]);
      expect(vals(constraints.boolean.check(v))).toEqual([1, 1, 0, 0, 0]);
      expect(vals(constraints.nonnegativeInteger.check(v))).toEqual([1, 1, 1, 0, 0]);
      expect(vals(constraints.integerInterval(0, tf.tensor1d([1, 1, 1, 1, 1])).check(v))).toEqual([1, 1, 0, 0, 0]);
      expect(vals(constraints.positiveDefinite.check(tf.tensor3d([[[1, 0], [0, 1]], [[1, 2], [2, 1]]])))).toEqual([1, 0]);
      expect(vals(constraints.lowerCholesky.check(tf.tensor3d([[[1, 0], [3, 1]], [[1, 2], [0, 1]]])))).toEqual([1, 0]);
    });
  });
});

describe("TransformedDistribution", () => {
  it("Normal pushed through Exp is LogNormal", () => {
    tf.tidy(() => {
      const td = dist.TransformedDistribution(dist.Normal(tf.tensor1d([0.2, -0.3]), 0.7), new transforms.ExpTransform());
      const x = tf.tensor2d([0.5, 1.5, 3, 0.1], [2, 2]);
      expectClose(vals(td.logProb(x)), vals(dist.LogNormal(tf.tensor1d([0.2, -0.3]), 0.7).logProb(x)), 1e-5);
      expect(td.support.name).toBe("positive");
      expect(td.hasRsample).toBe(true);
      expect(vals(td.sample([4], 1)).every((v) => v > 0)).toBe(true);
    });
  });

  it("Uniform(0, 1) through Affine(a, b - a) is Uniform(a, b)", () => {
    tf.tidy(() => {
      const td = dist.TransformedDistribution(dist.Uniform(0, 1), [new transforms.AffineTransform(-2, 5)], { support: constraints.interval(-2, 3) });
      expectClose(vals(td.logProb(tf.tensor1d([-1.5, 0, 2.9]))), [-Math.log(5), -Math.log(5), -Math.log(5)], 1e-6);
      expect(td.support.name).toBe("interval(-2, 3)");
    });
  });

  it("stick-breaking a batch of Normals: the base's last batch dim becomes the event; the density integrates to 1", () => {
    const td = dist.TransformedDistribution(dist.Normal(tf.zeros([1]), 1.5), new transforms.StickBreakingTransform());
    expect(td.batchShape).toEqual([]);
    expect(td.eventShape).toEqual([2]);
    expect(td.support.name).toBe("simplex");
    const n = 20000;
    const pts: number[] = [];
    for (let i = 1; i < n; i++) pts.push(i / n, 1 - i / n);
    const p = tf.tidy(() => vals(td.logProb(tf.tensor2d(pts, [n - 1, 2])).exp()));
    expect(p.reduce((s, v) => s + v, 0) / n).toBeCloseTo(1, 3);
    expect(td.sample([5], 2).shape).toEqual([5, 2]);
    expect(td.expand([4]).batchShape).toEqual([4]);
  });
});
