/**
 * Run a StackStep: one layout group's per-step factors stacked along the
 * chain's time dim (one concat, zeros for the steps without a factor, a
 * spread when every step holds the same tensor), transposed into the out
 * slot's dims. A transition shared by every step stays one step.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { StackStep } from "./plan.js";
import type { Slots } from "./slots.js";
import { spreadOverSteps } from "./spread-steps.js";

export function runStack(step: StackStep, slots: Slots): tf.Tensor {
  const steps = step.slots.length;
  const shared = sharedPiece(step, slots);
  if (shared !== undefined) {
    if (step.oneStepIfShared && step.slots.every((s) => s >= 0)) return laidOut(step, shared, 1);
    return laidOut(step, spreadOverSteps(shared, step.slots.map((s) => s >= 0)), steps);
  }
  const pieces: tf.Tensor[] = [];
  const rest = step.pieceShape.slice(1);
  let missing = 0;
  // runs of steps without a factor become one zero block
  const flushZeros = () => {
    if (missing > 0) pieces.push(tf.zeros([missing * step.pieceShape[0]!, ...rest]));
    missing = 0;
  };
  for (const s of step.slots) {
    if (s < 0) {
      missing++;
      continue;
    }
    flushZeros();
    pieces.push(slots.get(s));
  }
  flushZeros();
  return laidOut(step, pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0), steps);
}

/** The one tensor every present step holds (a transition shared by the chain), or undefined. */
function sharedPiece(step: StackStep, slots: Slots): tf.Tensor | undefined {
  let x: tf.Tensor | undefined;
  let n = 0;
  for (const s of step.slots) {
    if (s < 0) continue;
    const t = slots.get(s);
    if (x !== undefined && t !== x) return undefined;
    x = t;
    n++;
  }
  return n > 1 ? x : undefined;
}

/** The pieces stacked on axis 0 ([steps · pieceShape[0], ...]) as [steps, ...pieceShape], transposed into the out slot's dims. */
function laidOut(step: StackStep, stacked: tf.Tensor, steps: number): tf.Tensor {
  const x = stacked.reshape([steps, ...step.pieceShape]);
  return step.perm === null ? x : x.transpose([...step.perm]);
}
