/**
 * The ParamStore: every learnable parameter as an unconstrained tf.Variable,
 * with the constraint that maps it back. `param(...)` reads from it.
 *
 * A param is kept through `transformTo(constraint)`, as Pyro's param store
 * does (softmax of K numbers for the simplex, so an unnormalised positive init
 * is accepted and normalised). Autoguides ask for `bijectTo` instead
 * (stick-breaking), through the store's `mapping` option, so their
 * parameterisation (and every SVI trajectory) stays what it was.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { bijectTo, transformTo } from "../constraints/biject.js";
import {
  type Constraint, greaterThan, independent, interval, positive, real, simplex, unitInterval,
  GreaterThan, IndependentConstraint, Interval,
} from "../constraints/constraint.js";
import { SoftmaxTransform, type Transform } from "../constraints/transforms.js";
import { PPLConfigError, PPLModelError, PPLNumericalError, formatShape } from "../errors.js";
import { safeParse } from "../options.js";
import { shapesEqual } from "../ops/tensor.js";
import { tensorArg } from "../tensor-arg.js";

/** Which map onto the constraint keeps a param unconstrained. */
export type ParamMapping = "transformTo" | "bijectTo";

/** Options of {@link ParamStore.get}. */
export interface ParamCreateOptions {
  /**
   * For a param this call creates: keep it through bijectTo rather than the
   * default transformTo (autoguides use it). For an existing param: it must
   * have been created with this mapping.
   */
  mapping?: ParamMapping;
  /**
   * Who uses the param (an autoguide): a param created or first claimed by
   * one owner is refused to another, naming both (two guides of models that
   * share a site name would otherwise train one param).
   */
  owner?: ParamOwner;
}

/** Who owns a param: compared by identity, named by `label` in errors. */
export interface ParamOwner {
  /** How errors name the owner, e.g. `AutoNormal #1 (a guide of model 'coin')`. */
  readonly label: string;
}

const mapTo: Record<ParamMapping, (c: Constraint) => Transform> = { transformTo, bijectTo };

interface Entry {
  readonly unconstrained: tf.Variable;
  readonly constraint: Constraint;
  readonly mapping: ParamMapping;
  readonly transform: Transform;
  readonly shape: readonly number[];
  /** Set by the first owner that uses the param. */
  owner?: ParamOwner;
}

const constraintJSON = z.strictObject({
  /** The constraint's kind: real, positive, simplex, unitInterval, greaterThan, interval or independent. */
  name: z.string(),
  /** greaterThan's and interval's lower bound. */
  lowerBound: z.optional(z.number()),
  /** interval's upper bound. */
  upperBound: z.optional(z.number()),
  /** independent: the kind of its base constraint. */
  base: z.optional(z.string()),
  /** independent: how many dims it reinterprets. */
  reinterpreted: z.optional(z.int()),
});

const storeJSON = z.strictObject({
  /** The format's version (1). */
  version: z.literal(1),
  /** Every param by name. */
  params: z.record(z.string(), z.strictObject({
    /** The param's constraint. */
    constraint: constraintJSON,
    /** The constrained value's shape. */
    shape: z.array(z.int().check(z.nonnegative())),
    /** The unconstrained variable's shape (a K-simplex has K − 1 coordinates through bijectTo). */
    unconstrainedShape: z.array(z.int().check(z.nonnegative())),
    /** The unconstrained values, flat, row-major. */
    unconstrained: z.array(z.number()),
    /** How the param is mapped onto its constraint; absent in stores saved before transformTo (then bijectTo). */
    mapping: z.optional(z.enum(["transformTo", "bijectTo"])),
  })),
});

/** A saved param store: what {@link ParamStore.toJSON} returns and {@link ParamStore.load} accepts (plain JSON). */
export type ParamStoreJSON = z.infer<typeof storeJSON>;

function constraintToJSON(c: Constraint): z.infer<typeof constraintJSON> {
  if (c instanceof IndependentConstraint) {
    // the base's kind and bounds, flattened (independent of independent adds up)
    const base = constraintToJSON(c.base);
    const inner = base.name === "independent" ? base.base! : base.name;
    return { ...base, name: "independent", base: inner, reinterpreted: c.reinterpreted + (base.reinterpreted ?? 0) };
  }
  if (c instanceof GreaterThan) return { name: "greaterThan", lowerBound: c.lowerBound };
  if (c instanceof Interval) return { name: "interval", lowerBound: c.lowerBound, upperBound: c.upperBound };
  return { name: c.name };
}

function constraintFromJSON(j: z.infer<typeof constraintJSON>): Constraint {
  const named: Record<string, Constraint> = { real, positive, simplex, unitInterval };
  if (j.name === "greaterThan") return greaterThan(j.lowerBound ?? 0);
  if (j.name === "interval") return interval(j.lowerBound ?? 0, j.upperBound ?? 1);
  if (j.name === "independent") {
    const { lowerBound, upperBound } = j;
    return independent(constraintFromJSON({ name: j.base ?? "real", lowerBound, upperBound }), j.reinterpreted ?? 0);
  }
  const c = named[j.name];
  if (c === undefined) throw new PPLConfigError(`ParamStore.load: unknown constraint '${j.name}'`);
  return c;
}

/**
 * The init must be one the transform's inverse maps to a finite unconstrained
 * value. For the softmax (transformTo(simplex)) that is any nonnegative finite
 * vector with a positive sum: Pyro's store keeps log(init) and the param is
 * the init normalised (hmm.py initialises simplex params with torch.rand).
 * Every other map needs the init in the support.
 */
function checkInit(name: string, init: tf.Tensor, constraint: Constraint, transform: Transform): void {
  if (transform instanceof SoftmaxTransform) {
    const ok = init.rank >= 1 && tf.tidy(() => {
      const v = init.cast("float32");
      const entries = tf.logicalAnd(v.greaterEqual(0), tf.isFinite(v)).all();
      return tf.logicalAnd(entries, v.sum(-1).greater(0).all()).dataSync()[0] === 1;
    });
    if (!ok) {
      throw new PPLModelError(
        `param('${name}'): a ${constraint.name} param's initial value must be nonnegative and finite, with a positive ` +
          `sum along its last dim (it need not sum to 1: it is normalised, as in Pyro); got shape ${formatShape(init.shape)}`,
        { site: name, expected: "nonnegative finite entries, positive sum along the last dim", actual: formatShape(init.shape) },
      );
    }
    return;
  }
  const ok = tf.tidy(() => constraint.check(init).all().dataSync()[0]);
  if (!ok) {
    throw new PPLModelError(
      `param('${name}'): the initial value is not in the support ${constraint.name}`,
      { site: name, expected: constraint.name },
    );
  }
}

let variableCounter = 0;

/**
 * Every learnable parameter, kept unconstrained as a `tf.Variable` with the
 * constraint that maps it back (Pyro's `ParamStoreDict`). There is one per
 * process: {@link getParamStore}. See docs/param-store.md.
 *
 * @example
 * const store = getParamStore();
 * store.names();                                  // ["AutoDelta.locs.locs", ...]
 * const saved = JSON.stringify(store.toJSON());
 * store.load(JSON.parse(saved));
 */
export class ParamStore {
  private readonly entries = new Map<string, Entry>();

  /** Whether a param named `name` exists. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Every param's name, in creation order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The constrained value of `name`, creating it from `init` on first use. */
  get(
    name: string,
    init?: tf.Tensor | (() => tf.Tensor),
    constraint?: Constraint,
    options: ParamCreateOptions = {},
  ): tf.Tensor {
    let entry = this.entries.get(name);
    if (entry === undefined) {
      if (init === undefined) {
        throw new PPLModelError(`param('${name}') does not exist yet and no initial value was given`, { site: name });
      }
      entry = this.create(name, typeof init === "function" ? init() : init, constraint ?? real, options.mapping ?? "transformTo");
    } else if (options.mapping !== undefined && options.mapping !== entry.mapping) {
      throw new PPLModelError(
        `param('${name}') is kept through ${entry.mapping} and is now requested through ${options.mapping}: ` +
          "a param name used by an autoguide must not also be declared by the model or guide",
        { site: name, expected: entry.mapping, actual: options.mapping },
      );
    } else if (constraint !== undefined && entry.constraint.name !== constraint.name) {
      throw new PPLModelError(
        `param('${name}') was declared with constraint ${entry.constraint.name} and is now requested with ${constraint.name}`,
        { site: name, expected: entry.constraint.name, actual: constraint.name },
      );
    } else if (init instanceof tf.Tensor && !shapesEqual(init.shape, entry.shape)) {
      throw new PPLModelError(
        `param('${name}') has shape ${formatShape(entry.shape)} but is now initialised with shape ${formatShape(init.shape)}`,
        { site: name, expected: formatShape(entry.shape), actual: formatShape(init.shape) },
      );
    }
    if (options.owner !== undefined && entry.owner !== options.owner) {
      if (entry.owner !== undefined) throw ownerClash(name, entry.owner, options.owner);
      entry.owner = options.owner;
    }
    const value = entry.transform.forward(entry.unconstrained);
    // never hand out the Variable itself: a caller disposing the value would destroy the param
    return value === entry.unconstrained ? value.clone() : value;
  }

  private create(name: string, given: tf.Tensor, constraint: Constraint, mapping: ParamMapping): Entry {
    const init = tensorArg(`param('${name}')`, "init", given);
    const transform = mapTo[mapping](constraint);
    checkInit(name, init, constraint, transform);
    const unconstrained = tf.tidy(() => tf.variable(transform.inverse(init.cast("float32")), true, `ppl/${name}/${variableCounter++}`));
    const entry: Entry = { unconstrained, constraint, mapping, transform, shape: [...init.shape] };
    this.entries.set(name, entry);
    for (const watch of creationWatchers) watch(name);
    return entry;
  }

  /** The unconstrained variable behind `name` (what the optimiser updates). */
  unconstrained(name: string): tf.Variable {
    const e = this.entries.get(name);
    if (e === undefined) throw new PPLModelError(`no param named '${name}' in the ParamStore`, { site: name });
    return e.unconstrained;
  }

  /**
   * The constrained value a site would read if `name`'s unconstrained value
   * were `u` (for checking an update before it is written). The identity map
   * returns `u` itself.
   */
  constrain(name: string, u: tf.Tensor): tf.Tensor {
    const e = this.entries.get(name);
    if (e === undefined) throw new PPLModelError(`no param named '${name}' in the ParamStore`, { site: name });
    return e.transform.forward(u);
  }

  /** The map from `name`'s unconstrained value onto its constraint. */
  transform(name: string): Transform {
    const e = this.entries.get(name);
    if (e === undefined) throw new PPLModelError(`no param named '${name}' in the ParamStore`, { site: name });
    return e.transform;
  }

  /** The constraint `name` was created with. */
  constraint(name: string): Constraint {
    const e = this.entries.get(name);
    if (e === undefined) throw new PPLModelError(`no param named '${name}' in the ParamStore`, { site: name });
    return e.constraint;
  }

  /** Which map keeps `name` unconstrained. */
  mapping(name: string): ParamMapping {
    const e = this.entries.get(name);
    if (e === undefined) throw new PPLModelError(`no param named '${name}' in the ParamStore`, { site: name });
    return e.mapping;
  }

  /** Every param's unconstrained variable, by name. */
  variables(): Map<string, tf.Variable> {
    return new Map([...this.entries].map(([k, e]) => [k, e.unconstrained]));
  }

  /** Constrained values as plain arrays, for printing and saving results. */
  values(): Record<string, number | number[] | number[][]> {
    const out: Record<string, number | number[] | number[][]> = {};
    for (const name of this.entries.keys()) {
      const v = tf.tidy(() => this.get(name));
      out[name] = v.arraySync() as number | number[] | number[][];
      v.dispose();
    }
    return out;
  }

  /** Dispose and forget one param (nothing happens if it does not exist). */
  delete(name: string): void {
    const e = this.entries.get(name);
    if (e === undefined) return;
    e.unconstrained.dispose();
    this.entries.delete(name);
  }

  /** Dispose and forget every param. */
  clear(): void {
    for (const e of this.entries.values()) e.unconstrained.dispose();
    this.entries.clear();
  }

  /**
   * The whole store as plain JSON (unconstrained values, shapes, constraints,
   * mappings): `JSON.stringify` it to save. A param holding NaN or ±Infinity
   * is refused (JSON would write it as null), naming the param.
   */
  toJSON(): ParamStoreJSON {
    const params: ParamStoreJSON["params"] = {};
    for (const [name, e] of this.entries) {
      const values = Array.from(e.unconstrained.dataSync());
      const i = values.findIndex((x) => !Number.isFinite(x));
      if (i >= 0) {
        throw new PPLNumericalError(
          `ParamStore.toJSON: param '${name}' holds ${values[i]} at element ${i} of its unconstrained value ` +
            `(shape ${formatShape(e.unconstrained.shape)}); JSON cannot keep it (it would be saved as null).\n` +
            "Fix:\n- save the params of the last step whose loss was finite (SVI does not write a non-finite step)\n" +
            `- or reset it: getParamStore().delete('${name}') and train again`,
          { site: name, expected: "finite values", actual: String(values[i]) },
        );
      }
      params[name] = {
        constraint: constraintToJSON(e.constraint),
        shape: [...e.shape],
        unconstrainedShape: [...e.unconstrained.shape],
        unconstrained: values,
        mapping: e.mapping,
      };
    }
    return { version: 1, params };
  }

  /** Replace the store's contents with a saved state (checked whole before anything is replaced). */
  load(json: unknown): void {
    const parsed = safeParse(storeJSON, json);
    if (!parsed.success) throw loadError(json, parsed.error.issues[0]!);
    const specs = Object.entries(parsed.data.params).map(([name, p]) => {
      const constraint = constraintFromJSON(p.constraint);
      const mapping = p.mapping ?? "bijectTo";
      const transform = mapTo[mapping](constraint);
      const expectedShape = transform.inverseShape(p.shape);
      const size = p.unconstrainedShape.reduce((a, b) => a * b, 1);
      if (!shapesEqual(expectedShape, p.unconstrainedShape) || size !== p.unconstrained.length) {
        throw new PPLConfigError(
          `ParamStore.load: param '${name}' (${constraint.name} through ${mapping}, shape ${formatShape(p.shape)}) needs ` +
            `unconstrained shape ${formatShape(expectedShape)}, but the saved state has shape ${formatShape(p.unconstrainedShape)} ` +
            `with ${p.unconstrained.length} values`,
          { site: name, expected: formatShape(expectedShape), actual: formatShape(p.unconstrainedShape) },
        );
      }
      const bad = savedValueProblem(p.unconstrained, p.unconstrainedShape, constraint, transform);
      if (bad !== undefined) {
        throw new PPLConfigError(`ParamStore.load: param '${name}' ${bad}, so a step would fail on it; nothing was loaded`, {
          site: name, expected: `finite values in ${constraint.name}`, actual: bad,
        });
      }
      return { name, p, constraint, mapping, transform };
    });
    this.clear();
    for (const { name, p, constraint, mapping, transform } of specs) {
      const unconstrained = tf.tidy(() =>
        tf.variable(tf.tensor(p.unconstrained, p.unconstrainedShape, "float32"), true, `ppl/${name}/${variableCounter++}`),
      );
      this.entries.set(name, { unconstrained, constraint, mapping, transform, shape: p.shape });
    }
  }
}

/**
 * What is wrong with a saved unconstrained value that JSON holds as finite
 * numbers: one beyond float32's range (1e39), or one whose constrained value
 * is not finite or not in the constraint (exp(1000) for a positive param).
 */
function savedValueProblem(values: readonly number[], shape: readonly number[], constraint: Constraint, transform: Transform): string | undefined {
  const i = values.findIndex((v) => !Number.isFinite(Math.fround(v)));
  if (i >= 0) return `holds ${values[i]} at element ${i} of its unconstrained value, beyond float32's range`;
  return tf.tidy(() => {
    const c = transform.forward(tf.tensor(values as number[], shape as number[], "float32"));
    const data = c.dataSync();
    const j = data.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) return `has the constrained value ${data[j]} at element ${j} (its unconstrained value maps there under ${constraint.name})`;
    return constraint.check(c).all().dataSync()[0] ? undefined : `has a constrained value outside ${constraint.name}`;
  });
}

function ownerClash(name: string, first: ParamOwner, second: ParamOwner): PPLModelError {
  const cls = second.label.split(/[ #]/)[0];
  return new PPLModelError(
    `param('${name}') belongs to ${first.label} and is now used by ${second.label}: the two guides would read and ` +
      "train the same param (models that share a site name share their autoguides' param names).\n" +
      `Fix:\n- give each guide its own name, e.g. new ${cls}(model, { name: "model2" }) (its params are then named model2.…)\n` +
      "- or clearParamStore() (or getParamStore().delete(...)) before training another model's guide",
    { site: name, expected: first.label, actual: second.label },
  );
}

/**
 * What is wrong with a saved store, in words: the param (when the problem is
 * inside one), the field and what it should hold; never zod's issue dump.
 */
function loadError(json: unknown, issue: z.core.$ZodIssue): PPLConfigError {
  const [top, name, field, ...rest] = issue.path.map(String);
  const where = top === "params" && name !== undefined
    ? `param '${name}'${field === undefined ? "" : `: field '${[field, ...rest].join(".")}'`}`
    : top === undefined ? "the file" : `field '${issue.path.join(".")}'`;
  const found = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), json);
  const received = found === null ? "null" : Array.isArray(found) ? "an array" : found === undefined ? "missing" : `a ${typeof found}`;
  const problem = issue.code === "unrecognized_keys"
    ? `has unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}`
    : issue.code === "invalid_type" && found === null && field === "unconstrained"
      ? "holds null (a NaN or Infinity that JSON could not keep)"
      : issue.code === "invalid_type"
        ? `should be ${issue.expected === "array" ? "an array" : `a ${issue.expected}`} but is ${received}`
        : `is invalid: ${issue.message}`;
  const isStore = json !== null && typeof json === "object" && "params" in json;
  return new PPLConfigError(
    `ParamStore.load: ${isStore ? "" : "not a saved param store: "}${where} ${problem}.\n` +
      "Fix: load what JSON.stringify(getParamStore().toJSON()) wrote, unchanged (JSON.parse it first)",
    { site: top === "params" ? name : undefined, expected: issue.code === "invalid_type" ? String(issue.expected) : undefined, actual: problem },
  );
}

/** Told each param's name as a store creates it (not public: a compiled loss's recording, jit/compiled-loss.ts). */
const creationWatchers = new Set<(name: string) => void>();

/** Call `watch` with each param's name as it is created, until the returned function is called. */
export function watchParamCreation(watch: (name: string) => void): () => void {
  creationWatchers.add(watch);
  return () => creationWatchers.delete(watch);
}

const store = new ParamStore();

/** The process-wide ParamStore (Pyro's `get_param_store()`). */
export function getParamStore(): ParamStore {
  return store;
}

/** Dispose and forget every param. */
export function clearParamStore(): void {
  store.clear();
}
