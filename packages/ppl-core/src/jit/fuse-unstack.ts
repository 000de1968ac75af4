/**
 * A stack of slices one unstack made (a model's per-step reads of a sequence,
 * `obs[:, t]`, stacked again by the time chain) is one op reading the stacked
 * positions along the unstacked axis into the stack's axis. tfjs-wasm's
 * Unpack makes one tensor per slice and its Pack expands each and
 * concatenates them: for a 160-step sequence that was a third of a compiled
 * MAP decode's garbage (docs/performance.md, issue 25). Only argument-only
 * steps are fused (a variable's gradient never passes them); the unstack goes
 * when nothing else reads its slices.
 */
import * as tf from "@tensorflow/tfjs-core";
import { engineForward } from "../ops/custom-grad.js";
import type { Step } from "./program.js";

type Kernel = Extract<Step, { kind: "kernel" }>;

const axisOf = (s: Kernel): number => (s.attrs as { axis: number }).axis;

/** `steps` with each argument-only Pack of one argument-only Unpack's slices made one step. */
export function fuseUnstacks(steps: readonly Step[], output: number): Step[] {
  const unpackOf = new Map<number, { readonly step: Kernel; readonly position: number }>();
  for (const s of steps) {
    if (s.kind === "kernel" && s.kernelName === "Unpack" && !s.perCall) s.outputs.forEach((slot, position) => unpackOf.set(slot, { step: s, position }));
  }
  // the slices something other than a fused Pack reads keep their Unpack
  const stillRead = new Set<Kernel>();
  if (unpackOf.has(output)) stillRead.add(unpackOf.get(output)!.step);
  const fused = steps.map((s): Step => {
    const from = s.kind === "kernel" && s.kernelName === "Pack" && !s.perCall ? sourceOf(s, unpackOf) : undefined;
    if (from === undefined) {
      for (const slot of Object.values(s.inputs)) if (unpackOf.has(slot)) stillRead.add(unpackOf.get(slot)!.step);
      return s;
    }
    const positions = Int32Array.from(s.inputs as readonly number[], (slot) => unpackOf.get(slot)!.position);
    return { kind: "custom", f: engineForward(pickOp(positions, axisOf(from), axisOf(s as Kernel))), inputs: [Object.values(from.inputs)[0]!], outputs: s.outputs, perCall: false };
  });
  return fused.filter((s) => !(s.kind === "kernel" && s.kernelName === "Unpack" && !s.perCall && !stillRead.has(s)));
}

/** The Unpack all of a Pack's inputs are slices of, if one is. */
function sourceOf(pack: Step, unpackOf: ReadonlyMap<number, { readonly step: Kernel }>): Kernel | undefined {
  const ins = pack.inputs as readonly number[];
  const first = unpackOf.get(ins[0]!)?.step;
  return first !== undefined && ins.every((slot) => unpackOf.get(slot)?.step === first) ? first : undefined;
}

/** x's slices at `positions` along `unpackAxis`, stacked along `packAxis` (the Pack's output, rank x's). */
function pickOp(positions: Int32Array, unpackAxis: number, packAxis: number) {
  return ([x]: tf.Tensor[], save: tf.GradSaveFunc) => {
    save([x!]);
    const r = x!.rank;
    const a = unpackAxis < 0 ? unpackAxis + r : unpackAxis;
    const p = packAxis < 0 ? packAxis + r : packAxis;
    // x's axes but a, in order: the Pack's output is them with the picked slices' axis at p
    const rest = [...Array(r).keys()].filter((i) => i !== a);
    const value = picked(x!, positions, a, p, rest);
    // dy's slice k added at x's slice positions[k]: the picked axis first (a segment sum runs along axis 0), then back at a
    const gradFunc = (dy: tf.Tensor, [saved]: tf.Tensor[]) => [tf.tidy(() => {
      const first = tf.transpose(dy, [p, ...[...Array(r).keys()].filter((i) => i !== p)]);
      const summed = tf.unsortedSegmentSum(first, tf.tensor1d(positions, "int32"), saved!.shape[a]!);
      return tf.transpose(summed, [...rest.slice(0, a).map((_, i) => i + 1), 0, ...rest.slice(a).map((_, i) => a + i + 1)]);
    })];
    return { value, gradFunc };
  };
}

/**
 * x's slices at `positions` along axis a, stacked at axis p, copied in JS: tfjs-wasm's gather checks each index
 * through a closure of its own (160 a call for a 160-step sequence) beside its reshapes, and the transpose after
 * it is another kernel. String and complex tensors, whose data is no flat array of numbers, take the kernels.
 */
function picked(x: tf.Tensor, positions: Int32Array, a: number, p: number, rest: readonly number[]): tf.Tensor {
  const shape = [...rest.slice(0, p).map((i) => x.shape[i]!), positions.length, ...rest.slice(p).map((i) => x.shape[i]!)];
  if (x.dtype === "string" || x.dtype === "complex64") {
    return tf.tidy(() => {
      const gathered = tf.gather(x, tf.tensor1d(positions, "int32"), a);
      return a === p ? gathered : tf.transpose(gathered, [...rest.slice(0, p), a, ...rest.slice(p)]);
    });
  }
  const data = x.dataSync() as Float32Array | Int32Array | Uint8Array;
  const out = new (data.constructor as Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor)(data.length / x.shape[a]! * positions.length);
  // per output axis, x's stride along it; the picked axis reads x's at the position, not the index
  const xStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((m, n) => m * n, 1));
  const from = [...rest.slice(0, p), a, ...rest.slice(p)].map((i) => xStrides[i]!);
  const coord = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let flat = 0;
    for (let i = 0; i < shape.length; i++) flat += (i === p ? positions[coord[i]!]! : coord[i]!) * from[i]!;
    out[o] = data[flat]!;
    for (let i = shape.length - 1; i >= 0 && ++coord[i]! === shape[i]!; i--) coord[i] = 0;
  }
  return tf.tensor(out, shape, x.dtype);
}
