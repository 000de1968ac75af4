import type * as tf from "@tensorflow/tfjs-core";

/** Updates params in place from their gradients; owns its own state. */
export interface Optimizer {
  /** Apply one update. `grads` is keyed by param name; missing entries are left untouched. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>): void;
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
