/**
 * Learning-rate schedulers, used as Pyro's PyroLRScheduler is: wrap an
 * optimiser, hand the scheduler to SVI as its optimiser, and call
 * `scheduler.step()` once per epoch (ReduceLROnPlateau: `step(loss)`).
 * Each sets the wrapped optimiser's `lr`; the update rule is the
 * optimiser's.
 */
import type * as tf from "@tensorflow/tfjs-core";
import * as z from "zod/mini";
import { PPLConfigError } from "../errors.js";
import { parseOptions } from "../options.js";
import type { LearningRateOptimizer, Optimizer, UpdateCheck } from "./optimizer.js";

/** The common part: delegation to the optimiser, the epoch count and the base lr. */
export abstract class LRScheduler implements Optimizer {
  /** The wrapped optimiser's lr when the scheduler was made. */
  readonly baseLr: number;
  /** How many times `step` was called. */
  protected epoch = 0;

  protected constructor(
    who: string,
    /** The optimiser whose lr this scheduler sets. */
    readonly optimizer: LearningRateOptimizer,
  ) {
    if (optimizer === null || typeof optimizer !== "object" || typeof optimizer.apply !== "function" || typeof optimizer.lr !== "number") {
      throw new PPLConfigError(`${who}: the first argument must be an optimiser with an lr, such as new SGD({ lr: 0.01 })`, {
        expected: "an optimiser with a numeric lr",
        actual: optimizer === null ? "null" : typeof optimizer,
      });
    }
    if (optimizer instanceof LRScheduler) {
      throw new PPLConfigError(`${who}: the optimiser is already a scheduler (${optimizer.constructor.name}); wrap the optimiser itself`, {
        expected: "an optimiser such as new SGD({ lr })",
        actual: optimizer.constructor.name,
      });
    }
    this.baseLr = optimizer.lr;
  }

  /** The learning rate the next update uses. */
  get lr(): number {
    return this.optimizer.lr;
  }

  /** Apply one update with the current lr (SVI calls this). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>, check?: UpdateCheck): void {
    this.optimizer.apply(grads, variables, check);
  }

  /** Forget the optimiser's state and go back to epoch 0 and the base lr. */
  reset(): void {
    this.optimizer.reset();
    this.epoch = 0;
    this.optimizer.lr = this.baseLr;
  }
}

/** A scheduler whose lr is a closed form of the epoch. */
abstract class EpochScheduler extends LRScheduler {
  /** The lr at `epoch` (0 = the base lr). */
  protected abstract lrAt(epoch: number): number;

  /** End an epoch: set the lr for the next one. */
  step(): void {
    this.epoch += 1;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
}

const stepOptions = z.strictObject({ stepSize: z.int().check(z.positive()), gamma: z._default(z.number().check(z.positive()), 0.1) });
const exponentialOptions = z.strictObject({ gamma: z.number().check(z.positive()) });
const cosineOptions = z.strictObject({ tMax: z.int().check(z.positive()), etaMin: z._default(z.number().check(z.gte(0)), 0) });

/** Options of {@link StepLR}: `stepSize` epochs between decays (required), `gamma` (0.1). */
export type StepLROptions = z.input<typeof stepOptions>;
/** Options of {@link ExponentialLR}: `gamma`, the factor per epoch (required). */
export type ExponentialLROptions = z.input<typeof exponentialOptions>;
/** Options of {@link CosineAnnealingLR}: `tMax` epochs of a half period (required), `etaMin` (0). */
export type CosineAnnealingLROptions = z.input<typeof cosineOptions>;

/**
 * lr = baseLr · gamma^⌊epoch / stepSize⌋.
 *
 * @example
 * const scheduler = new StepLR(new SGD({ lr: 0.1 }), { stepSize: 30, gamma: 0.1 });
 * const svi = new SVI(model, guide, scheduler, new TraceELBO());
 * for (let epoch = 0; epoch < 90; epoch++) { svi.step(data); scheduler.step(); }
 */
export class StepLR extends EpochScheduler {
  private readonly stepSize: number;
  private readonly gamma: number;
  constructor(optimizer: LearningRateOptimizer, options: StepLROptions) {
    super("StepLR", optimizer);
    const o = parseOptions("StepLR", stepOptions, options);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = baseLr · gamma^epoch. */
export class ExponentialLR extends EpochScheduler {
  private readonly gamma: number;
  constructor(optimizer: LearningRateOptimizer, options: ExponentialLROptions) {
    super("ExponentialLR", optimizer);
    this.gamma = parseOptions("ExponentialLR", exponentialOptions, options).gamma;
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/** lr = etaMin + (baseLr − etaMin)(1 + cos(π·epoch / tMax)) / 2 (SGDR without restarts; torch's closed form). */
export class CosineAnnealingLR extends EpochScheduler {
  private readonly tMax: number;
  private readonly etaMin: number;
  constructor(optimizer: LearningRateOptimizer, options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", optimizer);
    const o = parseOptions("CosineAnnealingLR", cosineOptions, options);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin;
  }
  protected lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

const plateauOptions = z.strictObject({
  mode: z._default(z.enum(["min", "max"]), "min"),
  factor: z._default(z.number().check(z.positive(), z.lt(1)), 0.1),
  patience: z._default(z.int().check(z.gte(0)), 10),
  threshold: z._default(z.number().check(z.gte(0)), 1e-4),
  thresholdMode: z._default(z.enum(["rel", "abs"]), "rel"),
  cooldown: z._default(z.int().check(z.gte(0)), 0),
  minLr: z._default(z.number().check(z.gte(0)), 0),
  eps: z._default(z.number().check(z.gte(0)), 1e-8),
});

/** Options of {@link ReduceLROnPlateau}, torch's names and defaults: mode "min", factor 0.1, patience 10, threshold 1e-4 ("rel"), cooldown 0, minLr 0, eps 1e-8. */
export type ReduceLROnPlateauOptions = z.input<typeof plateauOptions>;

/**
 * Multiplies the lr by `factor` when the metric given to `step(metric)` has
 * not improved (by `threshold`, relative or absolute) for more than
 * `patience` epochs; waits `cooldown` epochs after each reduction; never
 * below `minLr` (a change smaller than `eps` is skipped).
 */
export class ReduceLROnPlateau extends LRScheduler {
  private readonly o: z.infer<typeof plateauOptions>;
  private best: number;
  private bad = 0;
  private cooling = 0;

  constructor(optimizer: LearningRateOptimizer, options: ReduceLROnPlateauOptions = {}) {
    super("ReduceLROnPlateau", optimizer);
    this.o = parseOptions("ReduceLROnPlateau", plateauOptions, options);
    this.best = this.o.mode === "min" ? Infinity : -Infinity;
  }

  /** End an epoch whose metric (e.g. the loss) was `metric`. */
  step(metric: number): void {
    if (typeof metric !== "number" || Number.isNaN(metric)) {
      throw new PPLConfigError("ReduceLROnPlateau.step(metric): the metric must be a number (the epoch's loss, say)", {
        expected: "a number",
        actual: String(metric),
      });
    }
    this.epoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.bad = 0;
    } else {
      this.bad += 1;
    }
    if (this.cooling > 0) {
      this.cooling -= 1;
      this.bad = 0;
    }
    if (this.bad > this.o.patience) {
      const next = Math.max(this.optimizer.lr * this.o.factor, this.o.minLr);
      if (this.optimizer.lr - next > this.o.eps) this.optimizer.lr = next;
      this.cooling = this.o.cooldown;
      this.bad = 0;
    }
  }

  override reset(): void {
    super.reset();
    this.best = this.o.mode === "min" ? Infinity : -Infinity;
    this.bad = 0;
    this.cooling = 0;
  }

  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === "min") return thresholdMode === "rel" ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === "rel" ? a > this.best * (1 + threshold) : a > this.best + threshold;
  }
}
