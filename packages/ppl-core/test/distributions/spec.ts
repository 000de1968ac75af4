// A table-driven check shared by the scalar-event families: log-density against a
// float64 closed form at several points and batch shapes, normalisation by
// numeric integration or summation, seeded sample moments, and gradients of the
// log-density in every parameter against central differences of the closed form.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { Distribution } from "ppl-core";
import { at, checkGradients, expectClose, expectMoments, trapezoid, vals } from "./helpers.js";

export interface ParamCase {
  /** One entry per parameter: flat values and shape. */
  params: { values: number[]; shape: number[] }[];
  /** Points to score, broadcast against the parameters. */
  x: { values: number[]; shape: number[] };
}

export interface Family {
  name: string;
  make: (...params: tf.Tensor[]) => Distribution;
  /** float64 log-density (or pmf) at x for one element's parameters. */
  ref: (p: number[], x: number) => number;
  cases: ParamCase[];
  /** Scalar parameters for normalisation and moments. */
  scalar: number[];
  /** Continuous: integrate over [a, b] with n panels. Discrete: sum over integers a..b. */
  normalise: { kind: "integrate" | "sum"; a: number; b: number; n?: number };
  mean: (p: number[]) => number;
  variance: (p: number[]) => number;
  /** Parameters that autodiff should not be checked against (e.g. integer counts). */
  noGrad?: number[];
  gradTol?: number;
  lpTol?: [number, number];
  samples?: number;
}

function fullShape(c: ParamCase): number[] {
  const shapes = [c.x.shape, ...c.params.map((p) => p.shape)];
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

function refAll(fam: Family, c: ParamCase, paramValues: number[][]): number[] {
  const full = fullShape(c);
  const n = full.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) =>
    fam.ref(paramValues.map((v, k) => at(v, c.params[k]!.shape, full, i)), at(c.x.values, c.x.shape, full, i)),
  );
}

export function describeFamily(fam: Family): void {
  describe(fam.name, () => {
    it("logProb matches the closed form at several points and batch shapes", () => {
      for (const c of fam.cases) {
        tf.tidy(() => {
          const d = fam.make(...c.params.map((p) => tf.tensor(p.values, p.shape)));
          const lp = d.logProb(tf.tensor(c.x.values, c.x.shape));
          expect(lp.shape).toEqual(fullShape(c));
          const [atol, rtol] = fam.lpTol ?? [2e-5, 2e-5];
          expectClose(vals(lp), refAll(fam, c, c.params.map((p) => p.values)), atol, rtol, fam.name);
        });
      }
    });

    it(fam.normalise.kind === "integrate" ? "the density integrates to 1" : "the pmf sums to 1 over the support", () => {
      const { a, b, n } = fam.normalise;
      const d = fam.make(...fam.scalar.map((p) => tf.scalar(p)));
      const logpdf = (xs: number[]) => tf.tidy(() => vals(d.logProb(tf.tensor1d(xs))));
      const total =
        fam.normalise.kind === "integrate"
          ? trapezoid(logpdf, a, b, n ?? 20000)
          : logpdf(Array.from({ length: b - a + 1 }, (_, i) => a + i)).reduce((s, v) => s + Math.exp(v), 0);
      expect(total).toBeCloseTo(1, 3);
    });

    it("seeded samples have the right moments, shape and reproducibility; mean and variance are the closed forms", () => {
      const n = fam.samples ?? 20000;
      const d = fam.make(...fam.scalar.map((p) => tf.scalar(p)));
      const x = d.sample([n], 1234);
      expect(x.shape).toEqual([n]);
      const xs = vals(x);
      const again = d.sample([n], 1234);
      expect(vals(again)).toEqual(xs);
      tf.dispose([x, again]);
      expect(xs.every((v) => Number.isFinite(v))).toBe(true);
      expectMoments(xs, fam.mean(fam.scalar), fam.variance(fam.scalar), fam.name);
      tf.tidy(() => {
        expectClose(vals(d.mean), [fam.mean(fam.scalar)], 1e-5, 1e-5, `${fam.name}.mean`);
        expectClose(vals(d.variance), [fam.variance(fam.scalar)], 1e-5, 1e-5, `${fam.name}.variance`);
      });
      // batched: sample shape ++ batch shape
      const c = fam.cases[0]!;
      tf.tidy(() => {
        const db = fam.make(...c.params.map((p) => tf.tensor(p.values, p.shape)));
        expect(db.sample([3, 2], 7).shape).toEqual([3, 2, ...db.batchShape]);
      });
    });

    it("gradients of logProb in every parameter match central differences of the closed form", () => {
      for (const c of fam.cases) {
        const xT = tf.tensor(c.x.values, c.x.shape);
        const skip = new Set(fam.noGrad ?? []);
        const free = c.params.map((_, k) => k).filter((k) => !skip.has(k));
        checkGradients(
          (...ps) => {
            const all = c.params.map((p, k) => (skip.has(k) ? tf.tensor(p.values, p.shape) : ps[free.indexOf(k)]!));
            return fam.make(...all).logProb(xT);
          },
          (vs) => refAll(fam, c, c.params.map((p, k) => (skip.has(k) ? p.values : vs[free.indexOf(k)]!))),
          free.map((k) => c.params[k]!),
          fam.gradTol ?? 2e-3,
          fam.name,
        );
        xT.dispose();
      }
    });
  });
}
