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

/** A node of the cache's trie: one level per key part (Map keys compare objects by identity, primitives by value). */
interface Node {
  next?: Map<unknown, Node>;
  value?: Cached;
}

export class StepCache {
  private readonly root: Node = {};

  /**
   * The result of `kind` applied to the key parts `sources`, made by `make` when there is none yet (undefined:
   * nothing to keep). A trie rather than one string key: a lookup, which a markov chain makes at every site,
   * then builds no string and hashes no new one.
   */
  get<T extends Cached>(sources: readonly unknown[], kind: string, make: () => T | undefined): T | undefined {
    let node = this.root;
    for (const s of sources) node = child(node, s);
    node = child(node, kind);
    const hit = node.value;
    if (hit !== undefined && (hit === true || !hit.isDisposed)) return hit as T;
    const out = make();
    if (out !== undefined) node.value = out;
    return out;
  }
}

function child(node: Node, part: unknown): Node {
  node.next ??= new Map();
  let next = node.next.get(part);
  if (next === undefined) node.next.set(part, (next = {}));
  return next;
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
 * `make()` computed once per loss call for these `sources` (the tensors and
 * other objects it derives from, by identity, and any numbers or strings it
 * also depends on) and this `kind` (a string naming the derivation); `true`
 * records a check that passed. Without an open call, `make()` every time.
 */
export function stepCached<T extends Cached>(sources: readonly unknown[], kind: string, make: () => T): T;
export function stepCached<T extends Cached>(sources: readonly unknown[], kind: string, make: () => T | undefined): T | undefined;
export function stepCached<T extends Cached>(sources: readonly unknown[], kind: string, make: () => T | undefined): T | undefined {
  return open === undefined ? make() : open.get(sources, kind, make);
}
