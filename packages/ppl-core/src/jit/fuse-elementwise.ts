/**
 * Elementwise groups of a recorded program's argument-only steps as one op
 * each: a connected group of tfjs's elementwise kernels (Add, Sub, Multiply,
 * RealDiv with broadcasting; Square, Sqrt, Neg; Reshape between them) whose
 * values inside the group nothing else reads replays as one JS op. What a
 * model derives from its data and pinned globals is often such a chain on a
 * few values (the NILM household's emission scale √(noise² + Σ_m scale_m²)
 * over the appliances' joint states is nine kernels on nine values), and each
 * kernel costs a tfjs dispatch (a few µs) whatever its size.
 *
 * The values are tfjs's to the bit: each op rounds to float32 as the kernel
 * does (+, −, ×, ÷ and √ of float32 values are correctly rounded, so float64
 * then Math.fround is the float32 op), an integer op (int32 inputs) wraps to
 * int32. Exp and Log stay kernels (libm's float32 exp and log are not
 * float64's rounded). Only argument-only steps (no variable or draw reaches
 * them: jit/program.ts) are grouped, so a gradient tape never goes through
 * a group on the way to a parameter; a gradient in the group's inputs (a
 * caller differentiating in its arguments) is the reverse pass in float64.
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastIndex } from "../ops/broadcast-index.js";
import { engineForward } from "../ops/custom-grad.js";
import { writeTensor, writeTensors, zerosTensor } from "../ops/kernel-io.js";
import { broadcastShapes } from "../ops/tensor.js";
import type { Step } from "./program.js";

type Kernel = Extract<Step, { kind: "kernel" }>;

/** y = f(x) and dy/dx from x and y. */
const UNARY: Readonly<Record<string, { f: (x: number) => number; d: (x: number, y: number) => number }>> = {
  Square: { f: (x) => x * x, d: (x) => 2 * x },
  Sqrt: { f: Math.sqrt, d: (_x, y) => 0.5 / y },
  Neg: { f: (x) => -x, d: () => -1 },
};

/** y = f(a, b) and its partials. */
const BINARY: Readonly<Record<string, { f: (a: number, b: number) => number; da: (a: number, b: number) => number; db: (a: number, b: number) => number }>> = {
  Add: { f: (a, b) => a + b, da: () => 1, db: () => 1 },
  Sub: { f: (a, b) => a - b, da: () => 1, db: () => -1 },
  Multiply: { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a },
  RealDiv: { f: (a, b) => a / b, da: (_a, b) => 1 / b, db: (a, b) => -a / (b * b) },
};

/** Kernels whose value is float32 whatever their inputs' dtype. */
const FLOAT_VALUED = new Set(["Sqrt", "RealDiv"]);

/** A group member: its kernel, its inputs (≥ 0: an earlier member; < 0: the group's input -1 - r), a Reshape's target. */
interface Node {
  readonly kernel: string;
  readonly ins: readonly number[];
  readonly reshape?: readonly number[];
}

/** A kernel's input slots, in the order its op reads them, when it is an argument-only one the fusion runs. */
function operands(s: Step): number[] | undefined {
  if (s.kind !== "kernel" || s.perCall || Array.isArray(s.inputs)) return undefined;
  const ins = s.inputs as Readonly<Record<string, number>>;
  if (s.kernelName in BINARY) return ins.a !== undefined && ins.b !== undefined ? [ins.a, ins.b] : undefined;
  if (s.kernelName in UNARY) return ins.x !== undefined ? [ins.x] : undefined;
  if (s.kernelName === "Reshape") return ins.x !== undefined && Array.isArray((s.attrs as { shape?: unknown } | null)?.shape) ? [ins.x] : undefined;
  return undefined;
}

/** `steps` with every elementwise group of two or more kernels (one of them not a Reshape) made one op; `output` is the program's result slot. */
export function fuseElementwise(steps: readonly Step[], output: number): Step[] {
  const readers = new Map<number, number>([[output, 1]]);
  for (const s of steps) for (const slot of Object.values(s.inputs)) readers.set(slot, (readers.get(slot) ?? 0) + 1);
  // each fusable kernel's group; a member's value read by exactly one later fusable kernel puts that
  // kernel in its group, which then ends there
  const groupOf = new Map<Step, Kernel[]>();
  const producer = new Map<number, Kernel>();
  for (const s of steps) {
    const ins = operands(s);
    if (ins === undefined) continue;
    const k = s as Kernel;
    let group: Kernel[] = [];
    for (const slot of ins) {
      const p = producer.get(slot);
      const g = p === undefined ? undefined : groupOf.get(p)!;
      if (g === undefined || g === group || readers.get(slot) !== 1) continue;
      group = group.length === 0 ? g : [...group, ...g];
    }
    group = [...group, k];
    for (const m of group) groupOf.set(m, group);
    producer.set(k.outputs[0]!, k);
  }
  const order = new Map(steps.map((s, i) => [s, i]));
  const fused: Step[] = [];
  for (const s of steps) {
    const group = groupOf.get(s);
    if (group === undefined || group.length < 2 || group.every((m) => m.kernelName === "Reshape")) fused.push(s);
    else if (group[group.length - 1] === s) fused.push(fusedStep([...group].sort((a, b) => order.get(a)! - order.get(b)!)));
  }
  return fused;
}

/** The group (members in program order, the last its result) as one custom step. */
function fusedStep(members: readonly Kernel[]): Step {
  const external: number[] = [];
  const nodeOf = new Map<number, number>();
  const nodes = members.map((m, j): Node => {
    const ins = operands(m)!.map((slot) => {
      const node = nodeOf.get(slot);
      if (node !== undefined) return node;
      if (!external.includes(slot)) external.push(slot);
      return -1 - external.indexOf(slot);
    });
    nodeOf.set(m.outputs[0]!, j);
    return m.kernelName === "Reshape" ? { kernel: m.kernelName, ins, reshape: (m.attrs as { shape: number[] }).shape } : { kernel: m.kernelName, ins };
  });
  const op = elementwiseOp(nodes);
  return { kind: "custom", f: engineForward(op), inputs: external, outputs: [members[members.length - 1]!.outputs[0]!], perCall: false };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Each node's shape and dtype, and each binary node's index of its operands (null: the same position), from the inputs'. */
interface Layout {
  readonly key: string;
  readonly shapes: readonly (readonly number[])[];
  readonly ints: readonly boolean[];
  readonly index: readonly (readonly [Int32Array | null, Int32Array | null] | undefined)[];
}

function layoutOf(nodes: readonly Node[], inputs: readonly tf.Tensor[]): Layout {
  const shapes: number[][] = [];
  const ints: boolean[] = [];
  const index: ([Int32Array | null, Int32Array | null] | undefined)[] = [];
  const shapeOf = (r: number) => (r >= 0 ? shapes[r]! : inputs[-1 - r]!.shape);
  const intOf = (r: number) => (r >= 0 ? ints[r]! : inputs[-1 - r]!.dtype === "int32");
  for (const n of nodes) {
    let shape: number[];
    if (n.reshape !== undefined) {
      const size = sizeOf(shapeOf(n.ins[0]!));
      const known = n.reshape.reduce((a, d) => (d === -1 ? a : a * d), 1);
      shape = n.reshape.map((d) => (d === -1 ? size / known : d));
      index.push(undefined);
    } else if (n.ins.length === 2) {
      const [a, b] = [shapeOf(n.ins[0]!), shapeOf(n.ins[1]!)];
      shape = broadcastShapes([a, b], `a fused ${n.kernel}'s inputs`);
      index.push([broadcastIndex(a, shape), broadcastIndex(b, shape)]);
    } else {
      shape = [...shapeOf(n.ins[0]!)];
      index.push(undefined);
    }
    shapes.push(shape);
    ints.push(!FLOAT_VALUED.has(n.kernel) && n.ins.every(intOf));
  }
  return { key: inputs.map((t) => `${t.dtype}[${t.shape.join(",")}]`).join(";"), shapes, ints, index };
}

/** The group's op: its value, and the gradient of every input by the reverse pass. */
function elementwiseOp(nodes: readonly Node[]) {
  let layout: Layout | undefined;
  return (inputs: tf.Tensor[]) => {
    const key = inputs.map((t) => `${t.dtype}[${t.shape.join(",")}]`).join(";");
    if (layout?.key !== key) layout = layoutOf(nodes, inputs);
    const L = layout;
    const last = nodes.length - 1;
    let values: Float64Array[] = [];
    let ins: Float64Array[] = [];
    const run = (read: ArrayLike<number>[]) => {
      ins = read.map((x) => Float64Array.from(x));
      values = forward(nodes, L, ins);
    };
    const shape = L.shapes[last]!;
    let value: tf.Tensor;
    if (L.ints[last]) {
      run(inputs.map((t) => t.dataSync()));
      value = tf.tensor(Int32Array.from(values[last]!), [...shape], "int32");
    } else {
      value = writeTensor(shape, inputs, (out, read) => {
        run(read);
        out.set(values[last]!);
      });
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const grads = backward(nodes, L, ins, values, dy.dataSync());
        const real = inputs.flatMap((t, i) => (t.dtype === "float32" ? [i] : []));
        const written = writeTensors(real.map((i) => inputs[i]!.shape), [], (outs) => outs.forEach((o, k) => o.set(grads[real[k]!]!)));
        // an integer input has no gradient: zeros, as tfjs gives it
        return inputs.map((t, i) => (t.dtype === "float32" ? written[real.indexOf(i)]! : zerosTensor(t.shape)));
      },
    };
  };
}

function forward(nodes: readonly Node[], L: Layout, ins: readonly Float64Array[]): Float64Array[] {
  const values: Float64Array[] = [];
  const valueOf = (r: number) => (r >= 0 ? values[r]! : ins[-1 - r]!);
  nodes.forEach((n, j) => {
    const x = valueOf(n.ins[0]!);
    if (n.reshape !== undefined) {
      values.push(x);
      return;
    }
    const y = new Float64Array(sizeOf(L.shapes[j]!));
    const u = UNARY[n.kernel];
    if (u !== undefined) {
      for (let o = 0; o < y.length; o++) y[o] = u.f(x[o]!);
    } else {
      const { f } = BINARY[n.kernel]!;
      const b = valueOf(n.ins[1]!);
      const [ia, ib] = L.index[j]!;
      for (let o = 0; o < y.length; o++) y[o] = f(x[ia === null ? o : ia[o]!]!, b[ib === null ? o : ib[o]!]!);
    }
    // the kernel's rounding: to float32, or int32's wrap
    if (L.ints[j]) for (let o = 0; o < y.length; o++) y[o] = y[o]! | 0;
    else for (let o = 0; o < y.length; o++) y[o] = Math.fround(y[o]!);
    values.push(y);
  });
  return values;
}

/** The gradient of Σ dy · value in each input, in float64, summed where an operand was broadcast. */
function backward(nodes: readonly Node[], L: Layout, ins: readonly Float64Array[], values: readonly Float64Array[], dy: ArrayLike<number>): Float64Array[] {
  const adj = nodes.map((_, j) => new Float64Array(sizeOf(L.shapes[j]!)));
  const gIns = ins.map((x) => new Float64Array(x.length));
  const adjOf = (r: number) => (r >= 0 ? adj[r]! : gIns[-1 - r]!);
  const valueOf = (r: number) => (r >= 0 ? values[r]! : ins[-1 - r]!);
  const top = adj[nodes.length - 1]!;
  for (let o = 0; o < top.length; o++) top[o] = dy[o]!;
  for (let j = nodes.length - 1; j >= 0; j--) {
    const n = nodes[j]!;
    const g = adj[j]!;
    const gx = adjOf(n.ins[0]!);
    const x = valueOf(n.ins[0]!);
    if (n.reshape !== undefined) {
      for (let o = 0; o < g.length; o++) gx[o]! += g[o]!;
      continue;
    }
    const u = UNARY[n.kernel];
    if (u !== undefined) {
      const y = values[j]!;
      for (let o = 0; o < g.length; o++) gx[o]! += g[o]! * u.d(x[o]!, y[o]!);
      continue;
    }
    const { da, db } = BINARY[n.kernel]!;
    const b = valueOf(n.ins[1]!);
    const gb = adjOf(n.ins[1]!);
    const [ia, ib] = L.index[j]!;
    for (let o = 0; o < g.length; o++) {
      const i = ia === null ? o : ia[o]!;
      const k = ib === null ? o : ib[o]!;
      gx[i]! += g[o]! * da(x[i]!, b[k]!);
      gb[k]! += g[o]! * db(x[i]!, b[k]!);
    }
  }
  return gIns;
}
