/**
 * A typed front for tf.customGrad: f receives its tensor inputs and a save function.
 *
 * The tfjs op is made on each call (tf.customGrad only wraps `f` in a
 * closure), never once at module load: a compiled loss (jit/) sees the
 * custom-gradient function an op runs through `engine.customGrad` while it
 * records, and replays it with the new inputs.
 *
 * An op may also say how a compiled loss can fuse it with the op before it
 * (jit/fuse.ts): a gather declares itself, and an op that reads an input
 * through per-entry tables (Bernoulli's log-mass) gives the function that
 * takes the gather's table in that input's place, so the tables are built
 * on the table's entries instead of on every gathered copy.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface CustomGradResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** An op's function: its inputs and tfjs's save function to its value and gradient function. */
export type OpFunction<I extends tf.Tensor[]> = (inputs: I, save: tf.GradSaveFunc) => CustomGradResult;

/** The function tf.customGrad receives (the inputs, then the save function). */
export type EngineForward = Parameters<typeof tf.customGrad>[0];

/** A gather: the op's one input is a table of `size` entries, its value is table[flat], of `shape`. */
export interface GatherSpec {
  readonly flat: ArrayLike<number>;
  readonly size: number;
  readonly shape: readonly number[];
}

/** What a compiled loss may fuse an op with. */
export interface Fusion {
  /** The op is a gather (its one input read at `flat`). */
  readonly gather?: GatherSpec;
  /** The op with its input `input` taken from a gather: the same op, reading the gather's table there. */
  readonly throughGather?: { readonly input: number; readonly fused: (g: GatherSpec) => OpFunction<tf.Tensor[]> };
}

const fusions = new WeakMap<EngineForward, Fusion>();

/** The function tf.customGrad runs for `f`. */
export function engineForward<I extends tf.Tensor[]>(f: OpFunction<I>): EngineForward {
  return ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as I, save);
  }) as EngineForward;
}

/** What a recorded op's function (the one tf.customGrad received) may be fused with, if it said. */
export function fusionOf(forward: unknown): Fusion | undefined {
  return typeof forward === "function" ? fusions.get(forward as EngineForward) : undefined;
}

export function customGradient<I extends tf.Tensor[]>(f: OpFunction<I>, fusion?: Fusion): (...inputs: I) => tf.Tensor {
  const forward = engineForward(f);
  if (fusion !== undefined) fusions.set(forward, fusion);
  return ((...inputs: I) => tf.customGrad(forward)(...inputs)) as (...inputs: I) => tf.Tensor;
}
