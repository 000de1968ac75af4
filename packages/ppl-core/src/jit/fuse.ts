/**
 * Fusions a recorded program can make that the interpreted call cannot: the
 * program sees which op reads which op's output (ops say what they can fuse
 * with, ops/custom-grad.ts).
 * - A gather read by an op that can read through it: the op takes the
 *   gather's table in place of the gathered tensor. hmm.py's model_2 gathers
 *   its emission probs per step (probs_y[x, y_prev, tones], 16 × 32 × 32
 *   values from 1 024 entries): fused, the Bernoulli log-mass takes two logs
 *   per entry instead of one per value, and the gather and its scatter-add go.
 * - A mask on the value of an op that can mask its own value: the op takes
 *   the mask as an input, skips the masked runs, and the mask's copy of the
 *   log-density forward and of its gradient backward go.
 * - A sum (the contraction's plate sum over the tones of hmm.py's emissions)
 *   of the value of an op that can sum its own value: the op writes one sum
 *   per run instead of every element, and its gradient reads dy per run
 *   instead of a broadcast copy of it.
 * - Row sums (an Independent log-density's sum over its event) of a value
 *   nothing else reads, read only by an op that can read through them (the ELBO's weighted sum of its terms,
 *   which sums every element anyway): the op takes the row sums' inputs and
 *   rounds each row's sum as the row sum did, and the row sums go.
 * - An Identity kernel that is its input's only reader: its readers read
 *   the input (it copies nothing a replay needs; the program's output keeps
 *   it, the caller owns that).
 * A fused-away op goes when nothing else reads its output. Then a chain's
 * per-step ops become one op (stack-ops.ts), and argument-only groups of
 * elementwise kernels one op each (fuse-elementwise.ts), and a stack of an
 * unstack's slices one gather (fuse-unstack.ts).
 */
import { type FusableOp, engineForward, fusionOf } from "../ops/custom-grad.js";
import { fuseElementwise } from "./fuse-elementwise.js";
import { fuseUnstacks } from "./fuse-unstack.js";
import type { Step } from "./program.js";
import { stackOps } from "./stack-ops.js";

type Custom = Extract<Step, { kind: "custom" }>;

/** `steps` with the fusions made; `output` is the program's result slot. */
export function fuseSteps(steps: readonly Step[], output: number): Step[] {
  // elementwise groups last: the sum's fusion and the stacking look through the reshapes before them
  const gathered = fuseGathers(dropIdentities(steps, output), output);
  const summed = fuseRowSums(fuseInto("sum", fuseInto("mask", gathered, output), output), output);
  const fused = fuseElementwise(stackOps(summed, output), output);
  return fuseUnstacks(fused, output);
}

/**
 * `steps` without the Identity kernels that are their input's only reader (but the output's), each reader of one
 * reading its input instead. Only then: tfjs adds a value's gradients in the tape's order, reader by reader, and
 * an input that others read too would get the Identity's readers' gradients added in another order.
 */
function dropIdentities(steps: readonly Step[], output: number): Step[] {
  const readers = readersOf(steps, output);
  const inputOf = new Map<number, number>();
  const renamed = (slot: number) => inputOf.get(slot) ?? slot;
  const kept: Step[] = [];
  for (const s of steps) {
    const x = s.kind === "kernel" && s.kernelName === "Identity" && !Array.isArray(s.inputs) ? (s.inputs as Record<string, number>).x : undefined;
    if (x !== undefined && readers.get(x) === 1 && s.outputs.length === 1 && s.outputs[0] !== output) {
      inputOf.set(s.outputs[0]!, renamed(x));
      continue;
    }
    kept.push(s.kind === "custom" ? { ...s, inputs: s.inputs.map(renamed) }
      : { ...s, inputs: Array.isArray(s.inputs) ? s.inputs.map(renamed) : Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, renamed(v)])) });
  }
  return kept;
}

/** Row sums read only by an op that can read through them folded into it (see the file comment). */
function fuseRowSums(steps: readonly Step[], output: number): Step[] {
  const readers = readersOf(steps, output);
  const rowSumOf = new Map<number, Custom>();
  for (const s of steps) if (s.kind === "custom" && fusionOf(s.f)?.rowSum !== undefined) rowSumOf.set(s.outputs[0]!, s);
  const absorbed = new Set<Step>();
  const fused = steps.map((s): Step => {
    const through = s.kind === "custom" ? fusionOf(s.f)?.throughRowSums : undefined;
    if (s.kind !== "custom" || through === undefined) return s;
    // a row sum its reader's alone, of a value its own alone (its gradient is added where it was, see dropIdentities)
    const sums = s.inputs.map((slot) => {
      const r = readers.get(slot) === 1 ? rowSumOf.get(slot) : undefined;
      return r !== undefined && readers.get(r.inputs[0]!) === 1 ? r : undefined;
    });
    if (sums.every((r) => r === undefined)) return s;
    for (const r of sums) if (r !== undefined) absorbed.add(r);
    const op = through(sums.map((r) => (r === undefined ? undefined : fusionOf(r.f)!.rowSum)));
    return customStep(op, s.inputs.map((slot, i) => sums[i]?.inputs[0] ?? slot), s.outputs, s.perCall);
  });
  return fused.filter((s) => !absorbed.has(s));
}

/** How many steps (and the output) read each slot. */
function readersOf(steps: readonly Step[], output: number): Map<number, number> {
  const readers = new Map<number, number>([[output, 1]]);
  for (const s of steps) for (const slot of Object.values(s.inputs)) readers.set(slot, (readers.get(slot) ?? 0) + 1);
  return readers;
}

function customStep(op: FusableOp, inputs: readonly number[], outputs: readonly number[], perCall: boolean): Custom {
  return { kind: "custom", f: engineForward(op.f, op.fusion), inputs, outputs, perCall };
}

function fuseGathers(steps: readonly Step[], output: number): Step[] {
  const readers = readersOf(steps, output);
  const gatherOf = new Map<number, Custom>();
  for (const s of steps) if (s.kind === "custom" && fusionOf(s.f)?.gather !== undefined) gatherOf.set(s.outputs[0]!, s);
  const fused = steps.map((s): Step => {
    if (s.kind !== "custom") return s;
    const through = fusionOf(s.f)?.throughGather;
    const gather = through === undefined ? undefined : gatherOf.get(s.inputs[through.input]!);
    if (through === undefined || gather === undefined) return s;
    readers.set(gather.outputs[0]!, readers.get(gather.outputs[0]!)! - 1);
    const inputs = s.inputs.map((slot, i) => (i === through.input ? gather.inputs[0]! : slot));
    return customStep(through.fused(fusionOf(gather.f)!.gather!), inputs, s.outputs, s.perCall);
  });
  return fused.filter((s) => !(s.kind === "custom" && gatherOf.get(s.outputs[0]!) === s && readers.get(s.outputs[0]!) === 0));
}

/**
 * A mask (or a sum) replaces the op whose value it takes, when nothing else reads that value and the op
 * can take it in: the fused op runs where the mask (sum) ran, with the mask as its last input. A sum may
 * take the value through reshapes (they keep the elements' order, and the op's check is on that order).
 */
function fuseInto(kind: "mask" | "sum", steps: readonly Step[], output: number): Step[] {
  const readers = readersOf(steps, output);
  const producer = new Map<number, Step>();
  for (const s of steps) if (s.outputs.length === 1) producer.set(s.outputs[0]!, s);
  const absorbed = new Set<Step>();
  const fused = steps.map((s): Step => {
    const fusion = s.kind === "custom" ? fusionOf(s.f) : undefined;
    const spec = kind === "mask" ? fusion?.mask : fusion?.sum;
    if (s.kind !== "custom" || fusion === undefined || spec === undefined) return s;
    const between: Step[] = [];
    let inner = producer.get(s.inputs[0]!);
    while (kind === "sum" && inner?.kind === "kernel" && inner.kernelName === "Reshape" && readers.get(inner.outputs[0]!) === 1) {
      between.push(inner);
      inner = producer.get(Object.values(inner.inputs)[0]!);
    }
    if (inner?.kind !== "custom" || absorbed.has(inner) || readers.get(inner.outputs[0]!) !== 1) return s;
    const innerFusion = fusionOf(inner.f);
    const op = kind === "mask" ? innerFusion?.withMask?.(fusion.mask!) : innerFusion?.withSum?.(fusion.sum!);
    if (op === undefined) return s;
    absorbed.add(inner);
    for (const b of between) absorbed.add(b);
    return customStep(op, kind === "mask" ? [...inner.inputs, s.inputs[1]!] : inner.inputs, s.outputs, s.perCall || inner.perCall);
  });
  return fused.filter((s) => !absorbed.has(s));
}
