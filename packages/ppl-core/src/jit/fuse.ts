/**
 * Fusions a recorded program can make that the interpreted call cannot: the
 * program sees which op reads which op's output. One kind so far: an op that
 * can read an input through a gather (ops/custom-grad.ts, `throughGather`)
 * takes the gather's table in place of the gathered tensor, and the gather
 * goes when nothing else reads it. hmm.py's model_2 gathers its emission
 * probs per step (probs_y[x, y_prev, tones], 16 × 32 × 32 values from 1 024
 * entries): fused, the Bernoulli log-mass takes two logs per entry instead
 * of one per value, and the gather and its scatter-add go.
 */
import { engineForward, fusionOf } from "../ops/custom-grad.js";
import type { Step } from "./program.js";

/** `steps` with each gather folded into the ops that can read through it; `output` is the program's result slot. */
export function fuseGathers(steps: readonly Step[], output: number): Step[] {
  const gatherOf = new Map<number, Extract<Step, { kind: "custom" }>>();
  const readers = new Map<number, number>([[output, 1]]);
  for (const s of steps) {
    for (const slot of Object.values(s.inputs)) readers.set(slot, (readers.get(slot) ?? 0) + 1);
    if (s.kind === "custom" && fusionOf(s.f)?.gather !== undefined) gatherOf.set(s.outputs[0]!, s);
  }
  const fused = steps.map((s): Step => {
    if (s.kind !== "custom") return s;
    const through = fusionOf(s.f)?.throughGather;
    const gather = through === undefined ? undefined : gatherOf.get(s.inputs[through.input]!);
    if (through === undefined || gather === undefined) return s;
    readers.set(gather.outputs[0]!, readers.get(gather.outputs[0]!)! - 1);
    const inputs = s.inputs.map((slot, i) => (i === through.input ? gather.inputs[0]! : slot));
    return { kind: "custom", f: engineForward(through.fused(fusionOf(gather.f)!.gather!)), inputs, outputs: s.outputs, perCall: s.perCall };
  });
  return fused.filter((s) => !(s.kind === "custom" && gatherOf.get(s.outputs[0]!) === s && readers.get(s.outputs[0]!) === 0));
}
