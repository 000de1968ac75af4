/**
 * The MAP assignment as one op: its inputs are the contraction's factors,
 * its output the packed support positions of every enumerated site
 * (decoded-slots.ts). Inside, the plan runs with the max-product ring and
 * the backward pass follows its back-pointers and Viterbi paths in JS. As an
 * op, the reads it does are its own: a compiled decode (jit-infer-discrete.ts)
 * records it as one step from the factors and replays it with new ones,
 * where those reads at the top level would refuse the recording.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "ppl-core/internal";
import { backward, chooseMax, Decisions } from "../contract/backward.js";
import { runPlan } from "../contract/execute.js";
import type { Dim, Factor } from "../contract/factor.js";
import type { Plan } from "../contract/plan.js";
import { MapRing } from "../contract/rings.js";
import { type DecodedSlot, packedSize, writeIndices } from "./decoded-slots.js";

/** The packed MAP indices (int32, one per slot entry) of `factors` contracted by `plan`. */
export function mapIndices(plan: Plan, factors: readonly Factor[], plateSizes: ReadonlyMap<Dim, number>, slots: readonly DecodedSlot[]): tf.Tensor1D {
  const dims = factors.map((f) => f.dims);
  const size = packedSize(slots);
  // the op's decisions, kept from one call to the next (each call's backward pass starts them afresh)
  const decided = new Decisions();
  const op = customGradient<tf.Tensor[]>((inputs) => {
    const ring = new MapRing();
    tf.tidy(() => {
      runPlan(plan, inputs.map((data, i): Factor => ({ data, dims: dims[i]! })), ring);
    });
    const packed = new Int32Array(size);
    writeIndices(slots, backward(ring.records, plateSizes, chooseMax, decided), packed);
    // the assignment is piecewise constant in the factors: its gradient is zero wherever it has one
    return { value: tf.tensor1d(packed, "int32"), gradFunc: () => inputs.map((t) => tf.zerosLike(t)) };
  });
  return op(...factors.map((f) => f.data)) as tf.Tensor1D;
}
