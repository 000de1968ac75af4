// bijectTo for real, positive, simplex (and intervals): round trips, and
// log|det J| against Jacobians from central finite differences with Richardson
// extrapolation, determinants in float64.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { bijectTo, constraints, type Transform } from "ppl-core";
import { det, expectClose, vals } from "../helpers.js";

/** forward at a float64 point, read back as float64 numbers. */
function fwd(t: Transform, x: readonly number[]): number[] {
  return tf.tidy(() => vals(t.forward(tf.tensor1d([...x]))));
}

/** d forward_i / d x_j by central differences, Richardson-extrapolated (error O(h^4)). */
function jacobianFD(t: Transform, x: readonly number[], h = 1e-2): number[][] {
  const n = x.length;
  const m = fwd(t, x).length;
  const central = (j: number, step: number) => {
    const up = [...x];
    const dn = [...x];
    up[j]! += step;
    dn[j]! -= step;
    const a = fwd(t, up);
    const b = fwd(t, dn);
    return a.map((v, i) => (v - b[i]!) / (2 * step));
  };
  const J = Array.from({ length: m }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const d1 = central(j, h);
    const d2 = central(j, h / 2);
    for (let i = 0; i < m; i++) J[i]![j] = (4 * d2[i]! - d1[i]!) / 3;
  }
  return J;
}

function ladj(t: Transform, x: readonly number[]): number[] {
  return tf.tidy(() => {
    const xt = tf.tensor1d([...x]);
    return vals(t.logAbsDetJacobian(xt, t.forward(xt)));
  });
}

const xs1 = [-3, -0.7, 0, 0.4, 2.5];

describe("bijectTo(real)", () => {
  it("is the identity with zero log-Jacobian", () => {
    const t = bijectTo(constraints.real);
    expect(fwd(t, xs1)).toEqual(xs1.map((x) => Math.fround(x)));
    expect(tf.tidy(() => vals(t.inverse(tf.tensor1d(xs1))))).toEqual(xs1.map((x) => Math.fround(x)));
    expect(ladj(t, xs1)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("elementwise transforms: positive, greaterThan, unitInterval, interval", () => {
  const cases: [string, constraints.Constraint, number[], (y: number) => boolean][] = [
    ["positive", constraints.positive, [0.01, 0.5, 1, 7, 120], (y) => y > 0],
    ["greaterThan(-2)", constraints.greaterThan(-2), [-1.99, -1, 0, 3.5], (y) => y > -2],
    ["unitInterval", constraints.unitInterval, [0.01, 0.3, 0.5, 0.9, 0.99], (y) => y > 0 && y < 1],
    ["interval(-2, 3)", constraints.interval(-2, 3), [-1.9, 0, 1.5, 2.95], (y) => y > -2 && y < 3],
  ];

  for (const [name, c, ys, inSupport] of cases) {
    it(`${name}: forward(inverse(y)) = y, forward lands in the support`, () => {
      const t = bijectTo(c);
      const back = tf.tidy(() => vals(t.forward(t.inverse(tf.tensor1d(ys)))));
      expectClose(back, ys, 1e-6, 1e-5);
      for (const y of fwd(t, [-8, -1, 0, 1, 8])) expect(inSupport(y)).toBe(true);
      const again = tf.tidy(() => vals(t.inverse(t.forward(tf.tensor1d(xs1)))));
      expectClose(again, xs1, 1e-4, 1e-4);
    });

    it(`${name}: log|dy/dx| matches finite differences`, () => {
      const t = bijectTo(c);
      const got = ladj(t, xs1);
      expect(got).toHaveLength(xs1.length);
      for (let k = 0; k < xs1.length; k++) {
        const d = jacobianFD(t, [xs1[k]!])[0]![0]!;
        expect(Math.abs(got[k]! - Math.log(Math.abs(d))), `at x = ${xs1[k]}`).toBeLessThan(2e-3);
      }
    });
  }
});

describe("bijectTo(simplex): stick-breaking", () => {
  const t = bijectTo(constraints.simplex);

  it("maps R^(K-1) onto the K-simplex; x = 0 is the uniform point", () => {
    expectClose(fwd(t, [0, 0, 0]), [0.25, 0.25, 0.25, 0.25], 1e-6);
    for (const x of [[-20, 0, 20], [3, -1, 0.5], [0.1, 0.2, 0.3]]) {
      const y = fwd(t, x);
      expect(y).toHaveLength(4);
      expect(Math.abs(y.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
      for (const v of y) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(t.forwardShape([2, 3])).toEqual([2, 4]);
    expect(t.inverseShape([2, 4])).toEqual([2, 3]);
  });

  it("round trips: forward(inverse(y)) = y and inverse(forward(x)) = x", () => {
    const ys = [[0.2, 0.3, 0.5], [0.7, 0.1, 0.15, 0.05], [0.01, 0.98, 0.01], [0.5, 0.5]];
    for (const y of ys) {
      const back = tf.tidy(() => vals(t.forward(t.inverse(tf.tensor1d(y)))));
      expectClose(back, y, 2e-6, 1e-4);
    }
    const x = [[1.3, -0.4, 2], [-2, 0, 0.3, 1.1]];
    for (const v of x) expectClose(tf.tidy(() => vals(t.inverse(t.forward(tf.tensor1d(v))))), v, 1e-4, 1e-4);
  });

  it("log|det J| of the first K-1 outputs w.r.t. the inputs matches finite differences", () => {
    const points = [[0, 0, 0], [1.3, -0.4, 2], [-1.5, 0.8, -0.2], [0.5, 0.5], [2, -1, 0.5, -0.5, 1]];
    for (const x of points) {
      const J = jacobianFD(t, x);
      const square = J.slice(0, x.length); // drop the last output: it is 1 - sum of the others
      const expected = Math.log(Math.abs(det(square)));
      const got = ladj(t, x);
      expect(got).toHaveLength(1);
      expect(Math.abs(got[0]! - expected), `at x = [${x.join(", ")}]`).toBeLessThan(2e-3);
    }
  });

  it("batches: one log|det J| per row", () => {
    const rows = [[1.3, -0.4, 2], [-1.5, 0.8, -0.2]];
    const xt = tf.tensor2d(rows);
    const got = tf.tidy(() => vals(t.logAbsDetJacobian(xt, t.forward(xt))));
    expect(got).toHaveLength(2);
    expectClose(got, rows.map((r) => ladj(t, r)[0]!), 1e-5);
    expect(tf.tidy(() => t.forward(xt).shape)).toEqual([2, 4]);
  });
});
