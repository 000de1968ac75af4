import * as tf from "@tensorflow/tfjs";
import { type Constraint, dependent } from "../constraints/constraint.js";
import { makeRng, nextSeed } from "../rng.js";
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
  sample(sampleShape: readonly number[] = [], seed = nextSeed("Subsample")): tf.Tensor {
    void sampleShape;
    // partial Fisher–Yates: the first subsampleSize entries of a random permutation
    const rng = makeRng(seed);
    const idx = Int32Array.from({ length: this.size }, (_, i) => i);
    for (let i = 0; i < this.subsampleSize; i++) {
      const j = i + Math.floor(rng() * (this.size - i));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return tf.tensor1d(idx.slice(0, this.subsampleSize), "int32");
  }
  logProb(value: tf.Tensor): tf.Tensor {
    void value;
    return tf.zeros([]);
  }
}
