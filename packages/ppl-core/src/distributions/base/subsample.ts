import * as tf from "@tensorflow/tfjs-core";
import { type Constraint, dependent } from "../../constraints/constraint.js";
import { makeRng, nextSeed, noise } from "../../rng.js";
import { Distribution } from "./distribution.js";

/** A uniformly random subset of {0..size-1} of `subsampleSize` indices: the value of a subsampled plate. */
export class Subsample extends Distribution {
  readonly name = "Subsample";
  /** The shape of independent, non-identical copies: the broadcast batch shape of the parameters. */
  readonly batchShape: readonly number[] = [];
  /** The shape of one draw. */
  readonly eventShape: readonly number[];
  /** The values the distribution puts mass on (observed values are checked against it). */
  readonly support: Constraint = dependent;

  constructor(readonly size: number, readonly subsampleSize: number) {
    super();
    this.eventShape = [subsampleSize];
  }
  /** The subset's indices, int32 `[subsampleSize]`: noise of the stream (rng.ts), which a compiled loss draws again on each replay. */
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Subsample")): tf.Tensor {
    void sampleShape;
    return noise(seed, (s) => tf.tensor1d(subsetIndices(this.size, this.subsampleSize, s), "int32"));
  }
  logProb(value: tf.Tensor): tf.Tensor {
    void value;
    return tf.zeros([]);
  }
}

/**
 * Partial Fisher–Yates: the first `n` entries of a random permutation of
 * {0..size-1}. Only the swapped positions are stored, so a step costs O(n),
 * not O(size) (a minibatch of 500 from 10 000 flights no longer fills and
 * shuffles a 10 000-entry array every step).
 */
function subsetIndices(size: number, n: number, seed: number): Int32Array {
  const rng = makeRng(seed);
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? i;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (size - i));
    out[i] = at(j);
    swapped.set(j, at(i));
  }
  return out;
}
