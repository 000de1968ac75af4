// A compiled loss's signature keyed from the previous call's (compiled-loss.ts keys each call so): the key and the
// tensors' order must be exactly those of the signature computed from scratch (the truth here), for a call that
// repeats the previous structure and for every way a call can differ from it.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { signature } from "../../src/jit/signature.js";

const a = tf.zeros([3]);
const b = tf.zeros([3]);
const c = tf.zeros([2, 3], "int32");
const f = () => 1;
const g = () => 2;

afterAll(() => tf.dispose([a, b, c]));

describe("signature from the previous call's", () => {
  it("gives the key and tensors of the signature from scratch, along a sequence where each call differs from the last in one way", () => {
    const nested = { probs: [0.25, 0.75], name: "fridge" };
    const calls: unknown[][] = [
      [a, { k: 2, nested }],
      [b, { k: 2, nested }], // another tensor of the same shape and dtype: the same key, the new tensor
      [c, { k: 2, nested }], // another shape and dtype
      [a, { k: 2, nested: { ...nested, probs: [0.25, 0.5] } }], // a nested number
      [a, { k: -0, nested }], // -0 is not 0
      [a, { k: 0, nested }],
      [a, { k: Number.NaN, nested }],
      [a, { k: Number.NaN, nested }],
      [a, { k: "0", nested }], // a string, not a number
      [a, { nested, k: "0" }], // the same keys in another order: the same key
      [a, { k: "0", nested, extra: null }],
      [a, a], // an alias
      [a, b],
      [[a, b], { b: c, a }], // tensors inside arrays and objects (the key lists them by sorted property)
      [[a, b], { a, b: c }], // the same keys in another order
      [f, new Float32Array([1, 2])],
      [g, new Float32Array([1, 2])], // another function
      [g, new Float32Array([1, 3])], // a typed array's contents
      [g, new Int32Array([1, 3])],
      [g, [1, 3]],
    ];
    let previous: ReturnType<typeof signature> | undefined;
    const keys: string[] = [];
    for (const args of calls) {
      const truth = signature(args);
      const sig = signature(args, previous);
      expect(sig.key).toBe(truth.key);
      expect(sig.tensors).toEqual(truth.tensors);
      sig.tensors!.forEach((t, i) => expect(t).toBe(truth.tensors![i]));
      keys.push(sig.key!);
      previous = sig;
    }
    // each change the comments name changed the key; the same structure kept it
    const same = keys.map((k, i) => i > 0 && k === keys[i - 1]);
    expect(same).toEqual([false, true, false, false, false, false, false, true, false, true, false, false, false, false, true, false, false, false, false, false]);
  });

  it("an object changed in place after the previous call is keyed by its new contents", () => {
    const prior = { locs: [0, 0.1, 0.2] };
    const first = signature([a, prior]);
    prior.locs[1] = 0.15;
    const again = signature([a, prior], first);
    expect(again.key).not.toBe(first.key);
    expect(again.key).toBe(signature([a, prior]).key);
  });

  it("an argument that cannot be keyed after a keyable call is refused, naming where", () => {
    const first = signature([a, { x: 1 }]);
    const bad = signature([a, { x: new Map() }], first);
    expect(bad.unkeyable).toBe("argument 1.x is Map, whose contents a compiled loss cannot key (pass tensors, numbers, strings, arrays or plain objects)");
  });
});
