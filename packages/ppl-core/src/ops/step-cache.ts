/**
 * Tensors derived once per loss call. Inside one SVI step a markov chain hands
 * the same tensors (a transition matrix, a distribution's enumerated support)
 * to every step of one parity, and recomputing a derivation per site costs
 * tfjs ops in the forward pass, the backward pass and the gradient sums.
 *
 * The cache belongs to the call that opened it (`withStepCache`: the ELBO's
 * loss, `inferDiscrete`, `computeMarginals`) and is dropped when the call
 * returns, so no result outlives the gradient tape it was recorded on and
 * nothing is keyed by tensor identity at module level. The tensors themselves
 * belong to the scopes that made them, as any tensor does; a result that an
 * inner tf.tidy has disposed is made again. Outside a call, `stepCached`
 * simply makes its result.
 */
import type * as tf from "@tensorflow/tfjs-core";

type Cached = tf.Tensor | true;

export class StepCache {
  private readonly ids = new Map<object, number>();
  private readonly results = new Map<string, Cached>();

  /** The result of `kind` applied to `sources`, made by `make` when there is none yet (undefined: nothing to keep). */
  get<T extends Cached>(sources: readonly object[], kind: string, make: () => T | undefined): T | undefined {
    let key = kind;
    for (const s of sources) {
      let id = this.ids.get(s);
      if (id === undefined) this.ids.set(s, (id = this.ids.size));
      key += `|${id}`;
    }
    const hit = this.results.get(key);
    if (hit !== undefined && (hit === true || !hit.isDisposed)) return hit as T;
    const out = make();
    if (out !== undefined) this.results.set(key, out);
    return out;
  }
}

let open: StepCache | undefined;

/** Run `f` with a step cache open (the enclosing one when a caller already opened it). */
export function withStepCache<T>(f: () => T): T {
  if (open !== undefined) return f();
  open = new StepCache();
  try {
    return f();
  } finally {
    open = undefined;
  }
}

/**
 * Drive `gen` with one step cache open whenever its own code runs (the
 * enclosing call's, when one is open at that moment): a model run that its
 * caller drives message by message, as inferDiscrete's replay is, shares its
 * derivations across its sites as a loss call does. Between resumptions the
 * caller's code runs without it.
 */
export function* withStepCacheWhileRunning<T, R, N>(gen: Generator<T, R, N>): Generator<T, R, N> {
  const cache = new StepCache();
  const resume = (f: () => IteratorResult<T, R>): IteratorResult<T, R> => {
    if (open !== undefined) return f();
    open = cache;
    try {
      return f();
    } finally {
      open = undefined;
    }
  };
  let step = resume(() => gen.next());
  while (!step.done) {
    let input: N;
    try {
      input = yield step.value;
    } catch (err) {
      step = resume(() => gen.throw(err));
      continue;
    }
    step = resume(() => gen.next(input));
  }
  return step.value;
}

/**
 * `make()` computed once per loss call for these `sources` and this `kind`
 * (a string naming the derivation and anything else it depends on); `true`
 * records a check that passed. Without an open call, `make()` every time.
 */
export function stepCached<T extends Cached>(sources: readonly object[], kind: string, make: () => T): T;
export function stepCached<T extends Cached>(sources: readonly object[], kind: string, make: () => T | undefined): T | undefined;
export function stepCached<T extends Cached>(sources: readonly object[], kind: string, make: () => T | undefined): T | undefined {
  return open === undefined ? make() : open.get(sources, kind, make);
}
