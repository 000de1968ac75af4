/**
 * Run a ChainStep: stack each layout group's per-step factors (one concat, or
 * one broadcast when every step holds the same tensor) into the chain
 * kernel's layout, then eliminate the chain with the ring's chain operation.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ChainGroup, ChainStep } from "./chain-plan.js";
import type { Ring } from "./rings.js";
import type { Slots } from "./slots.js";
import { spreadOverSteps } from "./spread-steps.js";

/**
 * [B or 1, steps, K(, K)] from one group: a concat, a reshape and at most a
 * transpose and a broadcast. A pair group whose every transition is the same
 * tensor stays one transition, [B or 1, 1, K, K] (the kernel's Tp = 1).
 */
export function stackGroup(g: ChainGroup, slots: Slots, plateShape: readonly number[], oneStepIfShared: boolean): tf.Tensor {
  const shared = sharedPiece(g, slots);
  if (shared !== undefined) {
    if (oneStepIfShared && g.slots.every((s) => s >= 0)) return finish(g, shared, plateShape, 1);
    return finish(g, spreadShared(g, shared), plateShape);
  }
  const pieces: tf.Tensor[] = [];
  const rest = g.pieceShape.slice(1);
  let missing = 0;
  // runs of steps without a factor become one zero block
  const flushZeros = () => {
    if (missing > 0) pieces.push(tf.zeros([missing * g.pieceShape[0]!, ...rest]));
    missing = 0;
  };
  for (const s of g.slots) {
    if (s < 0) {
      missing++;
      continue;
    }
    flushZeros();
    pieces.push(slots.get(s));
  }
  flushZeros();
  return finish(g, pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0), plateShape);
}

/** The one tensor every present step of the group holds (a transition shared by the chain), or undefined. */
function sharedPiece(g: ChainGroup, slots: Slots): tf.Tensor | undefined {
  let x: tf.Tensor | undefined;
  let n = 0;
  for (const s of g.slots) {
    if (s < 0) continue;
    const t = slots.get(s);
    if (x !== undefined && t !== x) return undefined;
    x = t;
    n++;
  }
  return n > 1 ? x : undefined;
}

/** The shared piece at its steps and 0 elsewhere, [steps · pieceShape[0], ...]. */
function spreadShared(g: ChainGroup, x: tf.Tensor): tf.Tensor {
  return spreadOverSteps(x, g.slots.map((s) => s >= 0)).reshape([g.slots.length * g.pieceShape[0]!, ...g.pieceShape.slice(1)]);
}

/** The stacked factors laid out as g.flat, with `steps` time steps (g's own count, or 1 for a shared transition). */
function finish(g: ChainGroup, stacked: tf.Tensor, plateShape: readonly number[], steps = g.slots.length): tf.Tensor {
  const withSteps = (shape: readonly number[], at: number) => shape.map((d, i) => (i === at ? steps : d));
  const shape = withSteps(g.shape, g.shape.length - g.flat.length + 1);
  const flat = withSteps(g.flat, 1);
  let x = stacked;
  if (g.perm !== null) x = x.reshape([steps, ...g.pieceShape]).transpose([...g.perm]);
  if (g.broadcast) x = tf.broadcastTo(x.reshape(shape), [...plateShape, ...flat.slice(1)]);
  return x.reshape(flat);
}

function addGroups(groups: readonly ChainGroup[], slots: Slots, step: ChainStep, oneStepIfShared: boolean): tf.Tensor | undefined {
  let sum: tf.Tensor | undefined;
  for (const g of groups) {
    const x = stackGroup(g, slots, step.plateShape, oneStepIfShared);
    sum = sum === undefined ? x : sum.add(x);
  }
  return sum;
}

/** The chain's variables eliminated by `ring`: a tensor over the chain's plates (shape `step.plateShape`). */
export function runChain(step: ChainStep, slots: Slots, ring: Ring): tf.Tensor {
  const unary = addGroups(step.unary, slots, step, false) ?? tf.zeros([1, step.length, step.size]);
  const pair = addGroups(step.pair, slots, step, true)!;
  return ring.chain(unary, pair, step.spec);
}
