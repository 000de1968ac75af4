// runtime/tape-filter.ts: under recordingOnlyFrom(xs, f) only kernels with an
// input on a path from xs go on tfjs's gradient tape (SVI's gradients use it).
// Gradients are checked against closed forms in plain JS numbers; the tape
// itself is inspected for the data-only kernels that must be missing.
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { recordingOnlyFrom } from "../../src/runtime/tape-filter.js";
import { onEachBackend } from "./fd.js";

const data = [[0.5, -1.25, 2], [3, 0.75, -0.5]];

interface TapeNode { kernelName: string }
const tapeKernels = (): string[] => ((tf.engine().state.activeTape ?? []) as TapeNode[]).map((n) => n.kernelName);

onEachBackend(() => {
  it("keeps data-only kernels off the tape and gives the closed-form gradient", () => {
    const w = tf.variable(tf.tensor1d([0.3, -0.7]));
    const x = tf.tensor2d(data);
    let kernels: string[] = [];
    const { value, grads } = recordingOnlyFrom([w], () =>
      tf.variableGrads(() => {
        // a model's data handling: a column of the data, reshaped (no path from w)
        const col = x.slice([0, 1], [2, 1]).reshape([2]);
        const out = w.mul(col).sum() as tf.Scalar;
        kernels = tapeKernels();
        return out;
      }, [w]));
    // d/dw Σ w·x[:, 1] = x[:, 1]
    expect(Array.from(grads[w.name]!.dataSync())).toEqual([-1.25, 0.75]);
    expect(value.dataSync()[0]).toBeCloseTo(0.3 * -1.25 + -0.7 * 0.75, 6);
    expect(kernels).toContain("Multiply");
    expect(kernels).not.toContain("Slice");
    expect(kernels).not.toContain("Reshape");
    tf.dispose([w, x, value, ...Object.values(grads)]);
  });

  it("follows the path through kernels with several inputs and outputs (split, concat, custom gradients)", () => {
    const w = tf.variable(tf.tensor1d([1.5, -2]));
    const x = tf.tensor1d([2, 3]);
    // a custom op with its own gradient: y = w³ (dy/dw = 3w²)
    const cube = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: a.pow(3), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => dy.mul(s!.square().mul(3)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const { grads } = recordingOnlyFrom([w], () =>
      tf.variableGrads(() => {
        const [a, b] = tf.split(tf.concat([cube(w) as tf.Tensor, x.mul(2)]), 2);
        return a!.mul(b!).sum() as tf.Scalar;
      }, [w]));
    // Σ w³ · 2x: gradient 3w² · 2x
    expect(Array.from(grads[w.name]!.dataSync())).toEqual([3 * 1.5 ** 2 * 4, 3 * 4 * 6]);
    tf.dispose([w, x, ...Object.values(grads)]);
  });

  it("differentiates a gradient taken inside the function (second order)", () => {
    const w = tf.variable(tf.scalar(0.5));
    const x = tf.tensor1d([1, -2, 4]);
    const { grads } = recordingOnlyFrom([w], () =>
      tf.variableGrads(() => {
        // g = d/dx Σ w·x² = 2wx; Σ g = 2w Σx, so d/dw = 2 Σx = 6
        const g = tf.grad((y: tf.Tensor) => y.square().mul(w).sum())(x);
        return g.sum() as tf.Scalar;
      }, [w]));
    expect(grads[w.name]!.dataSync()[0]).toBeCloseTo(6, 5);
    tf.dispose([w, x, ...Object.values(grads)]);
  });

  it("restores the engine when the function throws", () => {
    const w = tf.variable(tf.scalar(2));
    expect(() => recordingOnlyFrom([w], () => { throw new Error("boom"); })).toThrow("boom");
    expect(Object.prototype.hasOwnProperty.call(tf.engine(), "runKernelFunc")).toBe(false);
    // outside the filter every kernel is recorded again: d/dx of a data-only chain still works
    const g = tf.grad((y: tf.Tensor) => y.reshape([1]).square().sum())(tf.scalar(3));
    expect(g.dataSync()[0]).toBeCloseTo(6, 6);
    tf.dispose([w, g]);
  });
});
