import type * as tf from "@tensorflow/tfjs-core";

/**
 * Reads an update before anything of it is written: the new unconstrained
 * value of every param it changes, by name. Throwing refuses the whole
 * update (SVI refuses one that would leave a non-finite value).
 */
export type UpdateCheck = (proposed: ReadonlyMap<string, tf.Tensor>) => void;

/** Updates params in place from their gradients; owns its own state. */
export interface Optimizer {
  /**
   * Apply one update. `grads` is keyed by param name; missing entries are
   * left untouched. With `check`, the new values are shown to it first; if it
   * throws, nothing is written and the optimiser's state is as before.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>, check?: UpdateCheck): void;
  /** Forget all state (moments, step counts). */
  reset(): void;
}

/**
 * An optimiser whose learning rate a scheduler may change between steps
 * (every optimiser of ppl; a user-written one opts in by having `lr`).
 */
export interface LearningRateOptimizer extends Optimizer {
  /** The base learning rate used by the next update. */
  lr: number;
}
