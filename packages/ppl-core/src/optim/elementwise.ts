/**
 * The plumbing shared by every elementwise update rule: one state per param
 * (made on first use), the param's values and gradient read into JS arrays
 * once, the rule run over them, the results shown to the caller's check and
 * written back only if it passes. An update is a dozen arithmetic ops per
 * element; as tfjs ops each would be a kernel per param per step.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LearningRateOptimizer, UpdateCheck } from "./optimizer.js";

/** The per-param state every rule has: how many updates it has seen (1-based inside `update`). */
export interface StepState {
  t: number;
}

export abstract class ElementwiseOptimizer<S extends StepState> implements LearningRateOptimizer {
  /** The base learning rate; a scheduler may change it between steps. */
  lr: number;
  private readonly states = new Map<tf.Variable, S>();

  protected constructor(lr: number) {
    this.lr = lr;
  }

  /** Fresh state for a param of `size` elements. */
  protected abstract initState(size: number): S;

  /** Update `x` in place from `grad` (a copy the rule may modify); `state.t` already counts this update. */
  protected abstract update(x: Float32Array, grad: Float32Array, state: S): void;

  apply(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>, check?: UpdateCheck): void {
    const pending: { readonly variable: tf.Variable; readonly state: S; readonly value: tf.Tensor }[] = [];
    const proposed = new Map<string, tf.Tensor>();
    for (const [name, g] of grads) {
      const variable = variables.get(name);
      if (variable === undefined) continue;
      // the rule runs on a copy of the state: a refused update leaves the state as it was
      const state = copyState(this.states.get(variable) ?? this.initState(variable.size));
      state.t += 1;
      // copies: a backend may hand out its own storage (the cpu backend does)
      const x = new Float32Array(variable.dataSync());
      this.update(x, new Float32Array(g.dataSync()), state);
      const value = tf.tensor(x, variable.shape, "float32");
      pending.push({ variable, state, value });
      proposed.set(name, value);
    }
    try {
      check?.(proposed);
      for (const { variable, state, value } of pending) {
        variable.assign(value);
        this.states.set(variable, state);
      }
    } finally {
      tf.dispose(pending.map((p) => p.value));
    }
  }

  reset(): void {
    this.states.clear();
  }
}

/**
 * A copy of a rule's state whose arrays the rule may update in place: its
 * typed arrays copied, its numbers as they are. structuredClone cost more than
 * the whole update of a small param (~6 µs a param a step).
 */
function copyState<S extends StepState>(state: S): S {
  const copy = { ...state };
  for (const key of Object.keys(copy) as (keyof S)[]) {
    const v = copy[key];
    if (ArrayBuffer.isView(v)) copy[key] = (v as unknown as Float64Array).slice() as S[keyof S];
  }
  return copy;
}
