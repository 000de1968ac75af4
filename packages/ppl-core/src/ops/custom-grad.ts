/**
 * A typed front for tf.customGrad: f receives its tensor inputs and a save function.
 *
 * The tfjs op is made on each call (tf.customGrad only wraps `f` in a
 * closure), never once at module load: a compiled loss (jit/) sees the
 * custom-gradient function an op runs through `engine.customGrad` while it
 * records, and replays it with the new inputs.
 *
 * An op may also say how a compiled loss can fuse it with its neighbours
 * (jit/fuse.ts): a gather and a mask declare themselves; an op that reads an
 * input through per-entry tables (Bernoulli's log-mass) gives the function
 * that takes the gather's table in that input's place, so the tables are
 * built on the table's entries instead of on every gathered copy, and the
 * function that applies a mask to its own value, so the masked runs are
 * skipped and the mask's copies go. An op that spreads pieces over the
 * steps of a chain declares that, and an op that can run as a JS kernel
 * into a slice of a larger output gives that kernel, so that a chain's
 * per-step ops run as one op (jit/stack-ops.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelValues } from "./kernel-io.js";

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

/** A mask applied to a log-density (maskedLogProb): the mask's shape and the broadcast output's. */
export interface MaskSpec {
  readonly shape: readonly number[];
  readonly out: readonly number[];
}

/** A sum over `axes` of a tensor of `shape` (the contraction's plate sum). */
export interface SumSpec {
  readonly axes: readonly number[];
  readonly shape: readonly number[];
}

/** A sum of each run of `block` consecutive elements of the op's one input (sumRightmost: an event's log-density summed). */
export interface RowSumSpec {
  readonly block: number;
}

/** An op whose value is its inputs spread over `at.length` steps: step t is input at[t], zeros where at[t] is -1. */
export interface SpreadSpec {
  readonly at: readonly number[];
}

/**
 * An op as a JS kernel over its inputs' values, which a compiled loss may run
 * with others into one output (jit/stack-ops.ts): `kind` names what it
 * computes, and kernels of one kind whose inputs have equal shapes can share
 * an op.
 */
export interface StackSpec {
  readonly kind: string;
  /** The shapes of the op's inputs, in order. */
  readonly inputShapes: readonly (readonly number[])[];
  /** The shape of the op's value. */
  readonly shape: readonly number[];
  /** Which inputs take a gradient (the others get zeros). */
  readonly differentiable: readonly boolean[];
  /**
   * Write the op's value (every element of `out`, the value's size) from its inputs' values; gives the call's
   * number, which its gradient receives (a kernel may keep work of a forward call for that call's gradient).
   */
  forward(ins: readonly KernelValues[], out: Float32Array): number;
  /** Add dy · ∂value/∂input into `grads[j]` (float64, the input's size) for each differentiable input j (null for the others). */
  backward(call: number, ins: readonly KernelValues[], dy: KernelValues, grads: readonly (Float64Array | null)[]): void;
}

/** An op's function with the fusions it can make in turn. */
export interface FusableOp {
  readonly f: OpFunction<tf.Tensor[]>;
  readonly fusion: Fusion;
}

/** What a compiled loss may fuse an op with. */
export interface Fusion {
  /** The op is a gather (its one input read at `flat`). */
  readonly gather?: GatherSpec;
  /** The op is a mask on its first input (its second input is the mask). */
  readonly mask?: MaskSpec;
  /** The op is a sum of its one input. */
  readonly sum?: SumSpec;
  /** The op sums each run of its one input's elements (each row's sum rounded to float32, as its value is). */
  readonly rowSum?: RowSumSpec;
  /** The op spreads its inputs over steps. */
  readonly spread?: SpreadSpec;
  /** The op as a kernel that can share an op with others of its kind. */
  readonly stack?: StackSpec | undefined;
  /** The op with its input `input` taken from a gather: the same op, reading the gather's table there. */
  readonly throughGather?: { readonly input: number; readonly fused: (g: GatherSpec) => FusableOp } | undefined;
  /** The op with a mask applied to its value: the same op, with the mask as a last input; undefined when it cannot. */
  readonly withMask?: ((mask: MaskSpec) => FusableOp | undefined) | undefined;
  /** The op with its value summed: the same op, giving the sum; undefined when it cannot. */
  readonly withSum?: ((sum: SumSpec) => FusableOp | undefined) | undefined;
  /**
   * The op reading through row sums: the same op, whose input i is the input of a row sum of `blocks[i]`
   * (undefined: input i as it was); it computes what the row sums and the op computed, to the bit.
   */
  readonly throughRowSums?: ((blocks: readonly (RowSumSpec | undefined)[]) => FusableOp) | undefined;
}

const fusions = new WeakMap<EngineForward, Fusion>();

/** The function tf.customGrad runs for `f`; a compiled loss may fuse it as `fusion` says. */
export function engineForward<I extends tf.Tensor[]>(f: OpFunction<I>, fusion?: Fusion): EngineForward {
  const forward = ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as I, save);
  }) as EngineForward;
  if (fusion !== undefined) fusions.set(forward, fusion);
  return forward;
}

/** What a recorded op's function (the one tf.customGrad received) may be fused with, if it said. */
export function fusionOf(forward: unknown): Fusion | undefined {
  return typeof forward === "function" ? fusions.get(forward as EngineForward) : undefined;
}

export function customGradient<I extends tf.Tensor[]>(f: OpFunction<I>, fusion?: Fusion): (...inputs: I) => tf.Tensor {
  const forward = engineForward(f, fusion);
  return ((...inputs: I) => tf.customGrad(forward)(...inputs)) as (...inputs: I) => tf.Tensor;
}
