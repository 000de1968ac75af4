/**
 * Declared arguments (Pyro's `arg_constraints`): a family lists its
 * parameters with their constraints once, and the base class made by
 * `Parameterized` converts, checks, stores and shapes them.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Constraint } from "../../constraints/constraint.js";
import type { TensorLike } from "../../ops/tensor.js";
import { paramKey } from "./batched-layout.js";
import { Distribution } from "./distribution.js";
import { floatArg } from "../../tensor-arg.js";
import { checkMinRank, checkParam, paramBatchShape } from "./validate.js";

/** One declared argument, when a bare constraint does not say enough. */
export interface ArgSpec {
  /** What every element (or event) of the argument must satisfy. */
  readonly constraint: Constraint;
  /**
   * Rightmost dims of the argument that belong to one event and not to the
   * batch (a Dirichlet's concentration: 1). Default `constraint.eventDim`.
   */
  readonly eventDim?: number;
  /** The shape the error names when the argument has fewer than eventDim dims, e.g. "[..., K]". */
  readonly shape?: string;
  /** The argument may be left out (e.g. one of `probs` / `logits`); its field is then undefined. */
  readonly optional?: boolean;
}

/**
 * A declared argument with more than a constraint, typed as the named `ArgSpec` (so the
 * class's API docs show that type rather than an inline literal).
 * @example
 * ```ts
 * Parameterized("Dirichlet", { concentration: arg(positive, { eventDim: 1, shape: "[..., K]" }) })
 * ```
 */
export function arg(constraint: Constraint, options: { eventDim?: number; shape?: string } = {}): ArgSpec {
  return { constraint, ...options };
}

/** A family's declared arguments in constructor order: name -> constraint (or full spec). */
export type ArgConstraints = Readonly<Record<string, Constraint | ArgSpec>>;

type IsOptional<S> = S extends { readonly optional: true } ? true : false;

/** The stored arguments: float32 tensors, as given (not copied to the batch shape). */
export type ArgTensors<A extends ArgConstraints> = {
  readonly [K in keyof A]: IsOptional<A[K]> extends true ? tf.Tensor | undefined : tf.Tensor;
};

/** What the base constructor takes: each declared argument as a tensor, number or nested array. */
export type ArgValues<A extends ArgConstraints> = {
  [K in keyof A as IsOptional<A[K]> extends true ? never : K]: TensorLike;
} & {
  [K in keyof A as IsOptional<A[K]> extends true ? K : never]?: TensorLike;
};

interface NormalizedSpec {
  readonly name: string;
  readonly constraint: Constraint;
  readonly eventDim: number;
  readonly shape: string;
  readonly optional: boolean;
}

function normalize(argConstraints: ArgConstraints): NormalizedSpec[] {
  return Object.entries(argConstraints).map(([name, s]) => {
    const spec: ArgSpec = "check" in s ? { constraint: s } : s;
    const eventDim = spec.eventDim ?? spec.constraint.eventDim;
    const shape = spec.shape ?? `[...${eventDim === 1 ? ", K" : Array.from({ length: eventDim }, (_, i) => `, K${i + 1}`).join("")}]`;
    return { name, constraint: spec.constraint, eventDim, shape, optional: spec.optional === true };
  });
}

/**
 * The base class every `Parameterized` class extends: the declared arguments'
 * batch shape, event shape and batch key parts, computed once at construction.
 */
export abstract class ParameterizedDistribution extends Distribution {
  /** The family's name, as given to `Parameterized`. */
  readonly name: string;
  /** The broadcast of the declared arguments' batch parts. */
  readonly batchShape: readonly number[];
  /** The event part of the first argument with eventDim > 0, else []. */
  readonly eventShape: readonly number[];
  /**
   * One entry per declared argument, in order: a JS number given for it (so
   * every `Normal(loc[z], 1)` of a chain shares the key of its `1`), else the
   * stored tensor. The parts of a `batchKey`.
   */
  protected readonly argKeys: readonly unknown[];

  /** @internal Called by the class `Parameterized` makes, with its normalised specs. */
  protected constructor(name: string, specs: readonly NormalizedSpec[], values: Readonly<Record<string, TensorLike | undefined>>) {
    super();
    this.name = name;
    const self = this as unknown as Record<string, tf.Tensor | undefined>;
    const keys: unknown[] = [];
    const batchParts: Record<string, readonly number[]> = {};
    let eventShape: readonly number[] | undefined;
    for (const spec of specs) {
      const given = values[spec.name];
      if (given === undefined) {
        if (!spec.optional) floatArg(name, spec.name, given); // a PPLConfigError: the argument is missing
        self[spec.name] = undefined;
        keys.push(undefined);
        continue;
      }
      const t = floatArg(name, spec.name, given);
      if (spec.eventDim > 0) {
        checkMinRank(name, spec.name, t, spec.eventDim, spec.shape);
        eventShape ??= t.shape.slice(t.rank - spec.eventDim);
      }
      self[spec.name] = t;
      keys.push(paramKey(given, t));
      batchParts[spec.name] = spec.eventDim > 0 ? t.shape.slice(0, t.rank - spec.eventDim) : t.shape;
    }
    const parts = Object.values(batchParts);
    this.batchShape = parts.length === 1 ? parts[0]! : paramBatchShape(name, batchParts);
    this.eventShape = eventShape ?? [];
    this.argKeys = keys;
    for (const spec of specs) {
      const t = self[spec.name];
      if (t !== undefined) checkParam(this, spec.name, t, spec.constraint);
    }
  }

  /**
   * The batch key of a family whose `logProbBatched` is fused: `[cls, ...argKeys]`
   * when this object is exactly a `cls` (a subclass that changes logProb must
   * not be scored by cls's formula), undefined otherwise.
   */
  protected keyFor(cls: abstract new (...args: never[]) => ParameterizedDistribution): readonly unknown[] | undefined {
    return this.constructor === cls ? [cls, ...this.argKeys] : undefined;
  }
}

/** The class `Parameterized(name, argConstraints)` returns: extend it and implement sample, logProb and support. */
export type ParameterizedClass<A extends ArgConstraints> = (abstract new (args: ArgValues<A>) => ParameterizedDistribution &
  ArgTensors<A>) & {
  /** The declared arguments, as given to `Parameterized` (Pyro's `Dist.arg_constraints`). */
  readonly argConstraints: A;
};

/**
 * A base class for a family with declared arguments (Pyro's `arg_constraints`).
 * The constructor it gives takes the arguments as one object; for each, in
 * declaration order, it converts to float32, checks the rank an event needs,
 * broadcasts the batch parts to `batchShape` (PPLShapeError naming every
 * argument's shape otherwise), checks the constraint (PPLSupportError naming
 * the family, the argument, the first bad element and the constraint; skipped
 * under `setValidation(false)`) and stores the tensor as a readonly field of
 * the same name. `eventShape` is the event part of the first argument with
 * eventDim > 0 ([] if none); a field initializer may override it.
 *
 * Arguments are stored as given, not copied to the batch shape: the formulas
 * broadcast anyway, and a copy would cost an op per site in a markov chain and
 * sum a scalar parameter's gradient in a different order.
 *
 * @param name The family's name in error messages (`dist.name`).
 * @param argConstraints Argument name -> constraint, or `{ constraint, eventDim, shape, optional }`.
 * @example
 * ```ts
 * class Gumbel extends Parameterized("Gumbel", { loc: constraints.real, scale: constraints.positive }) {
 *   readonly support = constraints.real;
 *   constructor(loc: TensorLike, scale: TensorLike) {
 *     super({ loc, scale });
 *   }
 *   logProb(x: tf.Tensor): tf.Tensor {
 *     return tf.tidy(() => {
 *       const z = x.sub(this.loc).div(this.scale);
 *       return z.add(z.neg().exp()).neg().sub(this.scale.log());
 *     });
 *   }
 *   sample(sampleShape: readonly number[] = [], seed = nextSeed("Gumbel")): tf.Tensor { ... }
 * }
 * ```
 */
export function Parameterized<const A extends ArgConstraints>(name: string, argConstraints: A): ParameterizedClass<A> {
  const specs = normalize(argConstraints);
  abstract class Declared extends ParameterizedDistribution {
    static readonly argConstraints: A = argConstraints;
    constructor(args: ArgValues<A>) {
      super(name, specs, args as Readonly<Record<string, TensorLike | undefined>>);
    }
  }
  return Declared as unknown as ParameterizedClass<A>;
}
