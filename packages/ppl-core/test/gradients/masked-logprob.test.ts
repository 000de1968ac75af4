// maskedLogProb (ops/masked.ts), the mask of every masked site: the value is
// lp where the broadcast mask is true and exactly 0 elsewhere (also where lp
// is -∞), and the gradient of Σ w·out to lp is Σ of w over the output
// positions that read each lp element with the mask true, summed in float64
// by a brute-force broadcast written here.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { makeRng } from "ppl-core";
import { maskedLogProb } from "../../src/ops/masked.js";

/** Right-aligned broadcast read: the flat position in `shape` of each flat position of `out`. */
function reader(shape: readonly number[], out: readonly number[]): (o: number) => number {
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  return (o) => {
    let rest = o;
    let pos = 0;
    let stride = 1;
    for (let j = out.length - 1; j >= 0; j--) {
      const c = rest % out[j]!;
      rest = Math.floor(rest / out[j]!);
      if (padded[j]! > 1) pos += c * stride;
      stride *= padded[j]!;
    }
    return pos;
  };
}

function check(lpShape: number[], maskShape: number[], out: number[], seed: number): void {
  const rand = makeRng(seed);
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const lpv = Array.from({ length: size(lpShape) }, () => Math.fround(-3 * rand()));
  lpv[0] = -Infinity;
  const mv = Array.from({ length: size(maskShape) }, () => rand() < 0.6);
  mv[0] = false; // lp's -∞ at position 0 is read where the mask is false at least once
  const wv = Array.from({ length: size(out) }, () => Math.fround(2 * rand() - 1));
  const lp = tf.tensor(lpv, lpShape);
  const mask = tf.tensor(mv.map(Number), maskShape, "bool");
  const w = tf.tensor(wv, out);
  const value = maskedLogProb(lp, mask);
  expect(value.shape).toEqual(out);
  const got = value.dataSync();
  const atLp = reader(lpShape, out);
  const atMask = reader(maskShape, out);
  const grad = new Float64Array(lpv.length);
  for (let o = 0; o < size(out); o++) {
    const on = mv[atMask(o)]!;
    expect(got[o]).toBe(on ? lpv[atLp(o)] : 0);
    if (on) grad[atLp(o)]! += wv[o]!;
  }
  const g = tf.grad((x: tf.Tensor) => maskedLogProb(x, mask).mul(w).sum())(lp).dataSync();
  grad.forEach((e, j) => expect(Math.abs(g[j]! - e)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(e))));
  tf.dispose([lp, mask, w, value]);
}

describe("maskedLogProb against a float64 brute-force broadcast", () => {
  // hmm.py's shape: emissions [H, S, tones] under a per-sequence mask [S, 1] (a whole run per mask entry)
  it("lp at the output's shape, mask constant along the last dim", () => check([4, 6, 5], [6, 1], [4, 6, 5], 1));
  it("lp broadcast up by the mask (gradients summed over the broadcast)", () => check([6, 1], [3, 6, 5], [3, 6, 5], 2));
  it("mask varying along the last dim", () => check([4, 6, 5], [1, 5], [4, 6, 5], 3));
  it("both broadcast", () => check([4, 1, 5], [1, 6, 1], [4, 6, 5], 4));
});
