/**
 * A chain's per-step ops run as one op. ppl-enum spreads a chain's per-step
 * factors over its steps with one op (spread-steps.ts); where each step's
 * factor is an op of its own (hmm.py's models 2–4: each step's emission
 * reads its own parameter, so the markov loop's stacking cannot make them
 * one), a replay paid 64 ops a step, each with its tfjs tensors, saved
 * inputs, tape node and gradient closures, and the spread copied each
 * piece out and in again: most of what the step's garbage collector
 * collected. When every piece is an op that gives its JS kernel
 * (custom-grad.ts StackSpec), the pieces are of one kind with inputs of
 * equal shapes, and only the spread reads them, they become one op that runs
 * each piece's kernel into its rows of the spread's value, and its gradient
 * adds each piece's into one float64 sum per input (allocated once per op).
 * An input the pieces share is one input (also when each piece reads it
 * through an equal step of its own: hmm.py reshapes the emission table once
 * per step); inputs that differ per piece are
 * stacked by a Pack step (its tfjs gradient unstacks: a piece's differentiable
 * per-step input still gets its own rows), made once per argument tensors
 * when they depend only on those (program.ts keeps such steps' results).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type OpFunction, type StackSpec, engineForward, fusionOf } from "../ops/custom-grad.js";
import { type KernelValues, writeTensors } from "../ops/kernel-io.js";
import type { Step } from "./program.js";

type Custom = Extract<Step, { kind: "custom" }>;

/** `steps` with each spread of stackable pieces made one op (see the file's comment); `output` is the program's result slot. */
export function stackOps(steps: readonly Step[], output: number): Step[] {
  const readers = new Map<number, number>([[output, 1]]);
  for (const s of steps) for (const slot of Object.values(s.inputs)) readers.set(slot, (readers.get(slot) ?? 0) + 1);
  const producer = new Map<number, Step>();
  for (const s of steps) for (const slot of s.outputs) producer.set(slot, s);
  // new slots (the Packs' outputs) past every slot the program uses
  let free = output + 1;
  for (const s of steps) for (const slot of [...Object.values(s.inputs), ...s.outputs]) free = Math.max(free, slot + 1);
  const replaced = new Map<Step, Step[]>();
  const absorbed = new Set<Step>();
  for (const s of steps) {
    const at = s.kind === "custom" ? fusionOf(s.f)?.spread?.at : undefined;
    if (s.kind !== "custom" || at === undefined) continue;
    const pieces = s.inputs.map((slot) => producer.get(slot));
    if (!pieces.every((p): p is Custom => p?.kind === "custom" && p.outputs.length === 1 && readers.get(p.outputs[0]!) === 1)) continue;
    const specs = pieces.map((p) => fusionOf(p.f)?.stack);
    if (!specs.every((k): k is StackSpec => k !== undefined && stackable(k, specs[0]!))) continue;
    // each input position: one slot the pieces share, or a Pack of theirs (a new slot)
    const packs: Step[] = [];
    const inputs = specs[0].inputShapes.map((_, j) => {
      const slots = pieces.map((p) => p.inputs[j]!);
      if (slots.every((x) => x === slots[0])) return slots[0]!;
      const makers = slots.map((x) => producer.get(x));
      if (equalSteps(makers, readers)) {
        for (const m of makers.slice(1)) absorbed.add(m!);
        return slots[0]!;
      }
      // a slot no step makes is a leaf (a param, an argument, noise): counted as changing every call
      const perCall = slots.some((x) => producer.get(x)?.perCall ?? true);
      const slot = free++;
      packs.push({ kind: "kernel", kernelName: "Pack", inputs: slots, attrs: { axis: 0 }, outputs: [slot], perCall });
      return slot;
    });
    const shared = inputs.map((slot, j) => slot === pieces[0].inputs[j]);
    const f = engineForward(stackedFunction(specs, at, shared));
    const perCall = s.perCall || pieces.some((p) => p.perCall);
    replaced.set(s, [...packs, { kind: "custom", f, inputs, outputs: s.outputs, perCall }]);
    for (const p of pieces) absorbed.add(p);
  }
  return steps.flatMap((s) => (absorbed.has(s) ? [] : replaced.get(s) ?? [s]));
}

/** Kernel steps, each read by one piece only, of one kernel on the same input slots with equal attrs: their outputs are equal. */
function equalSteps(makers: readonly (Step | undefined)[], readers: ReadonlyMap<number, number>): boolean {
  const first = makers[0];
  if (first?.kind !== "kernel" || first.outputs.length !== 1) return false;
  const ins = JSON.stringify(first.inputs);
  return makers.every((m) => m?.kind === "kernel" && m.kernelName === first.kernelName && m.outputs.length === 1
    && readers.get(m.outputs[0]!) === 1 && JSON.stringify(m.inputs) === ins && equalData(m.attrs, first.attrs));
}

/** Deep equality of attrs: numbers (NaN equal to NaN), strings, booleans, arrays, typed arrays and plain objects. */
function equalData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const [x, y] = [a as unknown as ArrayLike<unknown>, b as unknown as ArrayLike<unknown>];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!equalData(x[i], y[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length
    && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equalData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Kernels of one kind whose inputs have equal shapes. */
function stackable(k: StackSpec, first: StackSpec): boolean {
  return k.kind === first.kind && sameShape(k.shape, first.shape) && k.inputShapes.length === first.inputShapes.length
    && k.inputShapes.every((shape, j) => sameShape(shape, first.inputShapes[j]!))
    && k.differentiable.every((d, j) => d === first.differentiable[j]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The stacked op: step t of its value [steps, ...piece shape] is piece at[t]'s value (0 where at[t] is -1); input j
 * is the pieces' shared input (`shared[j]`) or their inputs stacked along a new first axis.
 */
function stackedFunction(specs: readonly StackSpec[], at: readonly number[], shared: readonly boolean[]): OpFunction<tf.Tensor[]> {
  const first = specs[0]!;
  const size = sizeOf(first.shape);
  const valueShape = [at.length, ...first.shape];
  const inputSizes = first.inputShapes.map(sizeOf);
  const gradShapes = first.inputShapes.map((shape, j) => (shared[j] ? [...shape] : [specs.length, ...shape]));
  // the gradient's float64 sums, one per differentiable input, made on the first backward pass and reused
  let sums: (Float64Array | null)[] | undefined;
  /** Piece i's views of the inputs. */
  const piecesViews = (views: readonly KernelValues[], i: number): KernelValues[] =>
    inputSizes.map((n, j) => (shared[j] ? views[j]! : views[j]!.subarray(i * n, (i + 1) * n)));
  return (inputs, save) => {
    save(inputs);
    // each step's forward call number, for its gradient
    const calls = new Array<number>(at.length).fill(0);
    return {
      value: writeTensors([valueShape], inputs, ([out], views) => {
        for (let t = 0; t < at.length; t++) {
          const row = out!.subarray(t * size, (t + 1) * size);
          if (at[t]! < 0) row.fill(0);
          else calls[t] = specs[at[t]!]!.forward(piecesViews(views, at[t]!), row);
        }
      })[0]!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        sums ??= gradShapes.map((shape, j) => (first.differentiable[j] ? new Float64Array(sizeOf(shape)) : null));
        const acc = sums;
        for (const g of acc) g?.fill(0);
        return writeTensors(gradShapes, [...saved, dy], (grads, views) => {
          const dys = views[views.length - 1]!;
          for (let t = 0; t < at.length; t++) {
            const i = at[t]!;
            if (i < 0) continue;
            const pieceSums = acc.map((g, j) => (g === null || shared[j] ? g : g.subarray(i * inputSizes[j]!, (i + 1) * inputSizes[j]!)));
            specs[i]!.backward(calls[t]!, piecesViews(views, i), dys.subarray(t * size, (t + 1) * size), pieceSums);
          }
          grads.forEach((g, j) => {
            const sum = acc[j];
            if (sum === null || sum === undefined) g.fill(0);
            else for (let k = 0; k < g.length; k++) g[k] = sum[k]!;
          });
        });
      },
    };
  };
}
