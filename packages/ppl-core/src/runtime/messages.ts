/**
 * The messages a model yields. A primitive builds one; handlers read and
 * change it on its way out to the runner and back; the runner fills the value
 * if nobody did. Messages are mutated in place, as in Pyro.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Constraint } from "../constraints/constraint.js";
import type { Distribution } from "../distributions/base/distribution.js";
import type { ParamOwner } from "../params/param-store.js";

/** One vectorised plate around a site. `dim` counts from the right of the batch shape (-1 is rightmost). */
export interface PlateFrame {
  /** The plate's name. */
  readonly name: string;
  /** The full size of the plate. */
  readonly size: number;
  /** How many members this run sees (== size unless subsampled). */
  readonly subsampleSize: number;
  /** The batch dim the plate owns (negative, counted from the right). */
  readonly dim: number;
  /** Absent on vectorised frames; only a SequentialFrame says `false`. */
  readonly vectorized?: true;
  /**
   * A vectorizedMarkov time axis, not a plate: along it the sites are
   * successive steps of one chain, so the enumeration must not treat its
   * members as independent.
   */
  readonly time?: true;
  /**
   * An outer plate of copies of the whole model (vectorised particles,
   * Predictive's draws): its members share the data, so an observed value
   * need not have its size.
   */
  readonly replicate?: true;
}

/**
 * One iteration of a sequential plate (Pyro's `for i in pyro.plate(...)`):
 * its sites are conditionally independent of the other iterations' but have
 * no batch dim for the plate. Each iteration has its own frame (Pyro's
 * `counter`), so two iterations' frames differ by `index`.
 */
export interface SequentialFrame {
  /** The plate's name. */
  readonly name: string;
  /** The full size of the plate. */
  readonly size: number;
  /** How many members this run visits (== size unless subsampled). */
  readonly subsampleSize: number;
  /** A sequential plate has no batch dim. */
  readonly dim: undefined;
  /** Tells a sequential frame from a vectorised one. */
  readonly vectorized: false;
  /** The plate member this iteration runs (its data index, subsampled or not). */
  readonly index: number;
  /** Never a time axis. */
  readonly time?: undefined;
}

/** A frame of a site's condIndepStack: a vectorised plate, or one iteration of a sequential one. */
export type CondIndepFrame = PlateFrame | SequentialFrame;

/** Which step of which `markov` loop a site belongs to. */
export interface MarkovTag {
  /** Identity of one `markov(...)` call; steps of the same loop share it. */
  readonly chain: object;
  /** A name for the loop, for messages. */
  readonly chainName: string;
  /** The step's position in the loop (0, 1, ...). */
  readonly step: number;
  /** How many earlier steps a site may depend on (markov's `history`, 1 by default). */
  readonly history: number;
  /** vectorizedMarkov only: the chain's time frame (step 0 is t = 0, step 1 all of t = 1..T-1 at once). */
  readonly time?: PlateFrame;
}

/** User-facing inference options of a sample site (Pyro's `infer` dict). */
export interface InferConfig {
  /** Sum this discrete site out by enumeration (only "parallel" is implemented). */
  enumerate?: "parallel" | "sequential";
  /** Enumerate the full expanded support instead of a broadcastable one. */
  expand?: boolean;
}

/** Which run enumerated a variable: a guide's are averaged under q by the ELBO, a model's summed by its contraction. */
export type EnumSide = "model" | "guide";

/** An enumerated variable as the contraction names it. */
export interface EnumVariable {
  /** Unique in one model-and-guide run; never reused, even when its dim is. */
  readonly id: number;
  /** The site that enumerated it. */
  readonly name: string;
  /** Its support size. */
  readonly size: number;
  /** Whether the model or the guide enumerated it. */
  readonly side: EnumSide;
}

/**
 * How a site itself is enumerated (set by ppl-enum): in parallel, its whole
 * support laid out along `dim`; or sequentially, fixed to one of `total`
 * values in this run (the model or guide runs once per value).
 */
export type EnumInfo =
  | {
    /** The support is laid out along a dim. */
    readonly kind: "parallel";
    /** The (negative) dim the support lies along. */
    readonly dim: number;
    /** The variable as the contraction names it. */
    readonly variable: EnumVariable;
  }
  | {
    /** The site is fixed to one value per run. */
    readonly kind: "sequential";
    /** How many values (runs) there are. */
    readonly total: number;
  };

/**
 * What the enumeration handler writes on every sample site it sees (Pyro's
 * `_dim_to_id`): all a contraction needs to name the site's log-prob dims.
 */
export interface EnumScope {
  /** Whether this site ran in the model or the guide. */
  readonly side: EnumSide;
  /** For every enumerated dim this site's log-prob may carry (its own included): the variable there. */
  readonly dimToVar: ReadonlyMap<number, EnumVariable>;
}

/**
 * Which primitive made a sample message: `sample`, `factor`, `deterministic`,
 * or a plate's draw of its subsample indices (`subsample`, left out of
 * `Trace.sampleSites()`).
 */
export type SampleRole = "sample" | "factor" | "deterministic" | "subsample";

/** The message of `sample`, `factor`, `deterministic` and a plate's subsample draw. */
export interface SampleMsg {
  /** Tells the message kinds apart. */
  readonly type: "sample";
  /** The site name. */
  readonly name: string;
  /** Which primitive made it. */
  role: SampleRole;
  /** The site's distribution (plates broadcast it over their dims as the message passes them). */
  fn: Distribution;
  /** The value, once a handler or the runner settled it (the observed value for an observed site). */
  value: tf.Tensor | undefined;
  /** Whether the value is data (`obs`, or `condition`). */
  isObserved: boolean;
  /** The site's inference options (e.g. `enumerate`). */
  infer: InferConfig;
  /** Multiplies the log-density (from `scale` and plate subsampling). */
  scale: number | tf.Tensor;
  /** Where false, the log-density is zero (from `mask`). */
  mask: tf.Tensor | boolean;
  /** Enclosing plates (vectorised, and iterations of sequential ones), innermost first. */
  condIndepStack: CondIndepFrame[];
  /** Enclosing markov steps, innermost first (read by ppl-enum). @internal */
  markov: MarkovTag[];
  /** How the site itself is enumerated, if it is (set by ppl-enum). @internal */
  enumInfo: EnumInfo | undefined;
  /** Which enumerated variables the site's log-prob dims stand for (set by ppl-enum). @internal */
  enumScope: EnumScope | undefined;
  /** Seed for the default draw, set by the `seed` handler. */
  seed: number | undefined;
  /** The value is final: the runner must not draw it. */
  done: boolean;
  /** Do not pass the message to outer handlers (set by `block`). */
  stop: boolean;
}

/** The message of `param`. */
export interface ParamMsg {
  /** Tells the message kinds apart. */
  readonly type: "param";
  /** The param's name in the ParamStore. */
  readonly name: string;
  /** The initial value (or a function making it), used when the param does not exist yet. */
  init: tf.Tensor | (() => tf.Tensor) | undefined;
  /** undefined: whatever the param was created with (real for a new one). */
  constraint: Constraint | undefined;
  /** The constrained value, once read from the store. */
  value: tf.Tensor | undefined;
  /** The guide that owns the param (autoguides set it): the store refuses a second owner. */
  owner?: ParamOwner;
  /** Enclosing plates, innermost first. */
  condIndepStack: CondIndepFrame[];
  /** The value is final. */
  done: boolean;
  /** Do not pass the message to outer handlers (set by `block`). */
  stop: boolean;
}

/** Sent by a plate when it starts, so enclosing plates can say which dims (and names) they hold. */
export interface PlateMsg {
  /** Tells the message kinds apart. */
  readonly type: "plate";
  /** The name of the plate that is starting. */
  readonly name: string;
  /** Each enclosing plate pushes its frame here. */
  frames: CondIndepFrame[];
  /** A plate query carries no value. */
  value: undefined;
  /** Unused by plate queries (present so every message has it). */
  done: boolean;
  /** Must stay false: every enclosing plate has to answer. */
  stop: boolean;
}

/** Every message a model yields: a handler checks `msg.type` first. */
export type Msg = SampleMsg | ParamMsg | PlateMsg;

/** What `yield*` runs: a generator yielding messages and returning R. */
export type ModelGenerator<R = unknown> = Generator<Msg, R, unknown>;

/** A model or guide: a generator function of its arguments. */
export type Model<A extends unknown[] = unknown[], R = unknown> = (...args: A) => ModelGenerator<R>;
