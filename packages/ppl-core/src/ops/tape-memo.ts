/**
 * A tensor derived from an object (a parameter tensor), computed once per
 * gradient tape. Inside one SVI step a markov chain hands the same tensor to
 * every step of one parity, and recomputing its derivation per site costs
 * tfjs ops in the forward pass, the backward pass and the gradient sums.
 * A result is reused only under the tape it was made under (a reuse under
 * another tape would cut the gradient's path) and while it is alive.
 */
import * as tf from "@tensorflow/tfjs-core";

export class TapeMemo<K extends object> {
  private readonly results = new WeakMap<K, { readonly out: tf.Tensor; readonly tape: unknown }>();

  /** The result for `key` under the current tape, made by `make` when there is none (undefined: nothing to keep). */
  get(key: K, make: () => tf.Tensor): tf.Tensor;
  get(key: K, make: () => tf.Tensor | undefined): tf.Tensor | undefined;
  get(key: K, make: () => tf.Tensor | undefined): tf.Tensor | undefined {
    const tape: unknown = tf.engine().state.activeTape;
    const hit = this.results.get(key);
    if (hit !== undefined && hit.tape === tape && !hit.out.isDisposed) return hit.out;
    const out = make();
    if (out !== undefined) this.results.set(key, { out, tape });
    return out;
  }
}
