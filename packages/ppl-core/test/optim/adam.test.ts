// Adam and ClippedAdam update in JS; their values must be bit-for-bit those of
// the same formula in float32 tensor ops, the form they replace.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Adam, ClippedAdam } from "ppl-core";

/** The update as float32 tfjs ops, one step, in place. */
function tensorStep(
  x: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, t: number,
  o: { lr: number; b1: number; b2: number; eps: number; clip?: number },
): void {
  tf.tidy(() => {
    const grad = o.clip === undefined ? g : g.clipByValue(-o.clip, o.clip);
    const mt = m.mul(o.b1).add(grad.mul(1 - o.b1));
    const vt = v.mul(o.b2).add(grad.square().mul(1 - o.b2));
    m.assign(mt);
    v.assign(vt);
    const mHat = mt.div(1 - o.b1 ** t);
    const vHat = vt.div(1 - o.b2 ** t);
    x.assign(x.sub(mHat.mul(o.lr).div(vHat.sqrt().add(o.eps))));
  });
}

function compare(make: () => Adam, o: { lr: number; b1: number; b2: number; eps: number; clip?: number; lrd?: number }) {
  const init = Array.from({ length: 7 }, (_, i) => Math.sin(i + 1) * 2);
  const ours = tf.variable(tf.tensor(init, [7]));
  const ref = tf.variable(tf.tensor(init, [7]));
  const m = tf.variable(tf.zeros([7]));
  const v = tf.variable(tf.zeros([7]));
  const optim = make();
  for (let t = 1; t <= 20; t++) {
    // gradients over many magnitudes, some beyond the clip
    const g = tf.tensor(Array.from({ length: 7 }, (_, i) => Math.cos(3.1 * t + i) * 10 ** ((i % 5) - 2) * 30), [7]);
    optim.apply(new Map([["x", g]]), new Map([["x", ours]]));
    tensorStep(ref, m, v, g, t, { ...o, lr: o.lr * (o.lrd ?? 1) ** (t - 1) });
    g.dispose();
    expect(Array.from(ours.dataSync()), `step ${t}`).toEqual(Array.from(ref.dataSync()));
  }
  optim.reset();
  tf.dispose([ours, ref, m, v]);
}

describe("Adam", () => {
  it("is bit-for-bit the float32 tensor formula over 20 steps", () => {
    compare(() => new Adam({ lr: 0.05 }), { lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8 });
    compare(() => new Adam({ lr: 0.3, betas: [0.8, 0.95], eps: 1e-3 }), { lr: 0.3, b1: 0.8, b2: 0.95, eps: 1e-3 });
  });

  it("ClippedAdam clips each gradient element and decays the lr, bit-for-bit the tensor formula", () => {
    compare(() => new ClippedAdam({ lr: 0.05, clipNorm: 0.7, lrd: 0.99 }), { lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8, clip: 0.7, lrd: 0.99 });
  });

  it("leaves params without a gradient alone and makes no tensors of its own", () => {
    const a = tf.variable(tf.tensor([1, 2]));
    const b = tf.variable(tf.tensor([3, 4]));
    const before = tf.memory().numTensors;
    const optim = new Adam({ lr: 0.1 });
    const g = tf.tensor([1, -1]);
    optim.apply(new Map([["a", g]]), new Map([["a", a], ["b", b]]));
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([a, b, g]);
  });
});
