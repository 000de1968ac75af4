// Float64 finite differences over closed-form log-densities written in plain JS
// numbers, with numpy broadcasting of the arguments. Nothing here calls
// ppl-core's math: these are the independent truths the gradient tests compare with.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect } from "vitest";

/** One argument of a density: a flat float64 array with its shape; its last `event` dims are one event. */
export interface Arg {
  readonly shape: readonly number[];
  readonly values: number[];
  readonly event?: number;
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Numpy broadcast of shapes (right-aligned). */
export function broadcast(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    s.forEach((d, i) => {
      const j = rank - s.length + i;
      if (d !== 1) {
        if (out[j] !== 1 && out[j] !== d) throw new Error(`shapes do not broadcast: ${shapes.map((x) => `[${x}]`).join(" ")}`);
        out[j] = d;
      }
    });
  }
  return out;
}

/** The flat offset in a tensor of shape `shape` read by element `o` of the broadcast shape `full`. */
export function offset(shape: readonly number[], full: readonly number[], o: number): number {
  let rem = o;
  const idx = new Array<number>(full.length);
  for (let d = full.length - 1; d >= 0; d--) {
    idx[d] = rem % full[d]!;
    rem = Math.floor(rem / full[d]!);
  }
  let flat = 0;
  const lead = full.length - shape.length;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + (shape[d] === 1 ? 0 : idx[lead + d]!);
  return flat;
}

const batchOf = (a: Arg): number[] => a.shape.slice(0, a.shape.length - (a.event ?? 0));

/** The broadcast batch shape of `args` (and of `extra` shapes). */
export function outShapeOf(args: Record<string, Arg>, extra: readonly (readonly number[])[] = []): number[] {
  return broadcast([...Object.values(args).map(batchOf), ...extra]);
}

/**
 * The elementwise density over the broadcast batch: `density` gets, per output
 * element, each argument's event slice (one number for scalar events).
 */
export function evaluate(
  args: Record<string, Arg>,
  density: (x: Record<string, number[]>) => number,
  extra: readonly (readonly number[])[] = [],
): { shape: number[]; values: number[] } {
  const shape = outShapeOf(args, extra);
  const values = new Array<number>(size(shape));
  for (let o = 0; o < values.length; o++) {
    const x: Record<string, number[]> = {};
    for (const [k, a] of Object.entries(args)) {
      const ev = size(a.shape.slice(a.shape.length - (a.event ?? 0)));
      const at = offset(batchOf(a), shape, o) * ev;
      x[k] = a.values.slice(at, at + ev);
    }
    values[o] = density(x);
  }
  return { shape, values };
}

/** Central differences of f at `values` (float64), step h·max(1, |x|). */
export function centralDiff(values: number[], f: (v: number[]) => number, h = 1e-6): number[] {
  return values.map((x, j) => {
    const step = h * Math.max(1, Math.abs(x));
    const up = values.slice();
    const down = values.slice();
    up[j] = x + step;
    down[j] = x - step;
    return (f(up) - f(down)) / (2 * step);
  });
}

/** Deterministic numbers in [lo, hi) (a small LCG; the tests need fixed, not random, inputs). */
export function fixed(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s / 2 ** 32) * (hi - lo));
  });
}

/** |a - e| <= tol·max(1, max|e|) elementwise, naming the element on failure. */
export function expectGradClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * scale)) expect.fail(`${what}, element ${i}: ${a} vs finite difference ${e} (tolerance ${tol * scale})`);
  }
}

export const BACKENDS = ["cpu", "wasm"] as const;

/** `body` inside a describe block per backend, each switching tfjs to it first and restoring the original after. */
export function onEachBackend(body: (backend: (typeof BACKENDS)[number]) => void): void {
  for (const backend of BACKENDS) {
    describe(`on ${backend}`, () => {
      let original: string;
      beforeAll(async () => {
        original = tf.getBackend();
        if (backend === "wasm" && tf.findBackendFactory("wasm") === null) await import("@tensorflow/tfjs-backend-wasm");
        expect(await tf.setBackend(backend)).toBe(true);
      });
      afterAll(async () => {
        await tf.setBackend(original);
      });
      body(backend);
    });
  }
}
