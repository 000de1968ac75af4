// ops/kernel-io.ts: a JS kernel's inputs read in place and its outputs written into new tensors, on the
// backend the tests run on (wasm: views of the heap). Checked against the values computed in plain JS from the
// same numbers, including an output large enough to grow the wasm heap (which detaches every view taken
// before it: the inputs' views must be taken after the outputs are allocated).
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { writeTensor, writeTensors, zerosTensor } from "../../src/ops/kernel-io.js";

describe("writeTensors", () => {
  it("gives the kernel its inputs' values (float32, int32, bool) and makes tensors of what it writes", () => {
    const a = tf.tensor1d([1.5, -2, 3.25]);
    const i = tf.tensor1d([4, 5, 6], "int32");
    const m = tf.tensor1d([true, false, true], "bool");
    const [sum, masked] = writeTensors([[3], [3]], [a, i, m], ([o1, o2], [av, iv, mv]) => {
      for (let k = 0; k < 3; k++) {
        o1![k] = av![k]! + iv![k]!;
        o2![k] = mv![k] ? av![k]! : 0;
      }
    });
    expect(Array.from(sum!.dataSync())).toEqual([5.5, 3, 9.25]);
    expect(Array.from(masked!.dataSync())).toEqual([1.5, 0, 3.25]);
    expect(sum!.dtype).toBe("float32");
    tf.dispose([a, i, m, sum!, masked!]);
  });

  it("reads the inputs right when the output is large enough to grow the heap", () => {
    const a = tf.tensor1d([0.5, 2, -1]);
    // 48 M floats (192 MB): more than the heap holds after setup, so allocating it grows the memory
    const n = 48 * 1024 * 1024;
    const out = writeTensor([n], [a], (o, [av]) => {
      for (let k = 0; k < n; k++) o[k] = av![k % 3]! * 2;
    });
    const v = out.dataSync();
    expect([v[0], v[1], v[2], v[n - 1]]).toEqual([1, 4, -2, [1, 4, -2][(n - 1) % 3]]);
    tf.dispose([a, out]);
  });

  it("zerosTensor is float32 zeros of the shape", () => {
    const z = zerosTensor([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    z.dispose();
  });
});
