/** Run a ChainStep: stack each layout group's per-step factors (one concat), then one fused chain op. */
import * as tf from "@tensorflow/tfjs";
import { chainLogSumExp } from "./chain-op.js";
import type { ChainGroup, ChainStep } from "./chain-plan.js";

/** [B or 1, steps, K(, K)] from one group: a concat, a reshape and at most a transpose and a broadcast. */
function stackGroup(g: ChainGroup, slots: readonly (tf.Tensor | undefined)[], plateShape: readonly number[]): tf.Tensor {
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
    pieces.push(slots[s]!);
  }
  flushZeros();
  let x = pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0);
  if (g.perm !== null) x = x.reshape([g.slots.length, ...g.pieceShape]).transpose([...g.perm]);
  if (g.broadcast) x = tf.broadcastTo(x.reshape([...g.shape]), [...plateShape, ...g.flat.slice(1)]);
  return x.reshape([...g.flat]);
}

function addGroups(groups: readonly ChainGroup[], slots: readonly (tf.Tensor | undefined)[], step: ChainStep): tf.Tensor | undefined {
  let sum: tf.Tensor | undefined;
  for (const g of groups) {
    const x = stackGroup(g, slots, step.plateShape);
    sum = sum === undefined ? x : sum.add(x);
  }
  return sum;
}

/** log Σ over the chain's variables, over the chain's plates (shape `step.plateShape`). */
export function runChain(step: ChainStep, slots: readonly (tf.Tensor | undefined)[]): tf.Tensor {
  const unary = addGroups(step.unary, slots, step) ?? tf.zeros([1, step.length, step.size]);
  const pair = addGroups(step.pair, slots, step)!;
  return chainLogSumExp(unary, pair).reshape([...step.plateShape]);
}
