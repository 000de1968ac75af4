/**
 * AutoContinuous: the base of the guides over one flattened vector of every
 * latent site in unconstrained space (Pyro's `AutoContinuous`). A subclass
 * gives the posterior of that vector; this class lays the sites out along
 * it, draws it, and hands each site its slice pushed onto the site's support
 * as a Delta whose density is the change of variables.
 *
 * The vector is drawn inside the guide, not as a site of its own: the ELBOs
 * require every guide site to be a model site, so its log-density rides on
 * one site's Delta (Pyro instead adds an auxiliary site).
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  type Model, type ModelGenerator, PPLShapeError, type PlateMsg, type Transform, bijectTo, dist, nextSeed, sample,
} from "ppl-core";
import { isVectorizedFrame, ndtriNumber, runGenerator, sumRightmost } from "ppl-core/internal";
import { AutoGuide, type GuideValues, inPlates } from "./auto-guide.js";
import type { InitLocFn } from "./init-strategies.js";
import { checkNumSamples, checkQuantiles } from "./checks.js";
import { currentSupport, refuseDependentSupports } from "./current-support.js";
import type { PrototypeSite } from "./prototype.js";
import { refuseSubsampled } from "./subsample.js";

/** The posterior of the latent vector `[D]` that a subclass supplies: draws, their density, the marginals. */
export interface LatentPosterior {
  /** Draws `[...sampleShape, D]`, reparameterised (differentiable in the params). */
  sample(sampleShape: readonly number[], seed: number): tf.Tensor;
  /** log q of draws `[..., D]`, shape `[...]`. */
  logProb(latent: tf.Tensor): tf.Tensor;
  /** The mean `[D]`. */
  readonly loc: tf.Tensor;
  /** Each coordinate's marginal standard deviation `[D]`. */
  readonly marginalScale: tf.Tensor;
  /** The covariance `[D, D]`. */
  covariance(): tf.Tensor;
}

/** Where each site sits in the latent vector. */
interface Slot {
  readonly site: PrototypeSite;
  /** bijectTo of the prototype's support: its shapes always, its map only when the support holds no tensors. */
  readonly transform: Transform;
  readonly offset: number;
  /** The unconstrained shape (batch ++ unconstrained event) and its size. */
  readonly shape: readonly number[];
  readonly size: number;
}

/** Base class of AutoDiagonalNormal, AutoMultivariateNormal and AutoLowRankMultivariateNormal. */
export abstract class AutoContinuous<A extends unknown[]> extends AutoGuide<A> {
  declare private slotCache: Slot[] | undefined;

  constructor(model: Model<A>, initLocFn: InitLocFn, name?: string) {
    super(model, initLocFn, name);
    Object.defineProperty(this, "slotCache", { value: undefined, writable: true });
  }

  /**
   * The posterior's params (read with `param`, so they are created on the
   * first run and learned by SVI), given the latent size and its init.
   */
  protected abstract latentPosterior(latentDim: number, initLoc: () => tf.Tensor): ModelGenerator<LatentPosterior>;

  private slots(sites: readonly PrototypeSite[]): Slot[] {
    if (this.slotCache !== undefined) return this.slotCache;
    // one latent vector of a fixed size: no room for per-member rows of a subsampled plate
    refuseSubsampled(this.prefix, sites);
    let offset = 0;
    this.slotCache = sites.map((site) => {
      const transform = bijectTo(site.support);
      const shape = transform.inverseShape(site.shape);
      const size = shape.reduce((a, b) => a * b, 1);
      const slot = { site, transform, offset, shape, size };
      offset += size;
      return slot;
    });
    return this.slotCache;
  }

  /** The size D of the latent vector (after the first call, `median` or `sample`). */
  get latentDim(): number {
    return (this.slotCache ?? []).reduce((s, slot) => s + slot.size, 0);
  }

  /** The slot's transform in this run: the prototype's, or (support with tensor bounds) read with the values before it. */
  private transformNow(slot: Slot, values: GuideValues, args: A): Transform {
    return slot.site.support.holdsTensors ? bijectTo(currentSupport(this.prefix, this.model, slot.site, values, args)) : slot.transform;
  }

  private initLoc(slots: readonly Slot[], args: A): tf.Tensor {
    return tf.tidy(() => {
      if (slots.length === 0) return tf.zeros([0]);
      const inits: GuideValues = {};
      return tf.concat(slots.map((s) => {
        const init = tf.tensor(s.site.init, [...s.site.shape]);
        inits[s.site.name] = init;
        return this.transformNow(s, inits, args).inverse(init).reshape([-1]);
      }));
    });
  }

  protected *body(sites: readonly PrototypeSite[], args: A): ModelGenerator<GuideValues> {
    const slots = this.slots(sites);
    const D = this.latentDim;
    const posterior = yield* this.latentPosterior(D, () => this.initLoc(slots, args));
    // plates around the whole guide (Predictive's parallel plate, vectorised particles) batch the latent vector
    const outer = yield* enclosingBatchShape(this.prefix);
    const latent = posterior.sample(outer, nextSeed(`${this.prefix}.latent`));
    const logQ = posterior.logProb(latent);
    const carrier = carrierOf(slots);
    const values: GuideValues = {};
    for (const slot of slots) {
      const { site } = slot;
      const batchRank = site.shape.length - site.eventDim;
      const lead = leadingShape(this.prefix, site, outer, batchRank);
      const u = unpack(latent, slot, lead);
      const transform = this.transformNow(slot, values, args);
      const value = transform.forward(u);
      // the Delta's density: log q of the whole vector on one site, minus each site's log-Jacobian
      let density = sumRightmost(transform.logAbsDetJacobian(u, value), site.eventDim - transform.eventDim).neg();
      if (slot === carrier) {
        const batchSize = site.shape.slice(0, batchRank).reduce((a, b) => a * b, 1);
        density = density.add(logQ.reshape([...lead, ...new Array<number>(batchRank).fill(1)]).div(batchSize));
      }
      values[site.name] = yield* inPlates(site.plates, function* () {
        return yield* sample(site.name, dist.Delta(value, { logDensity: density, eventDim: site.eventDim }));
      });
    }
    return values;
  }

  /** Run the posterior's param reads outside any handler: the learned values from the param store. */
  private currentPosterior(args: A): { slots: Slot[]; posterior: LatentPosterior } {
    const slots = this.slots(this.setup(args));
    const posterior = runGenerator(this.latentPosterior(this.latentDim, () => this.initLoc(slots, args)));
    return { slots, posterior };
  }

  /** Each site's slice of `latent`, pushed onto its support (for a support with tensor bounds, the one the values before it give). */
  private unpackAll(slots: readonly Slot[], latent: tf.Tensor, lead: readonly number[], args: A): GuideValues {
    const out: GuideValues = {};
    for (const slot of slots) out[slot.site.name] = this.transformNow(slot, out, args).forward(unpack(latent, slot, lead));
    return out;
  }

  /**
   * The posterior median of each site in constrained space: the latent mean
   * pushed through each site's transform (Pyro's `median()`).
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor per site, of the site's shape; the caller owns them
   */
  median(...args: A): GuideValues {
    return tf.tidy(() => {
      const { slots, posterior } = this.currentPosterior(args);
      return this.unpackAll(slots, posterior.loc, [], args);
    });
  }

  /**
   * Marginal quantiles of each site in constrained space: each latent
   * coordinate's Normal quantile, pushed through the site's transform (exact
   * for elementwise transforms; Pyro's `quantiles(qs)`).
   * @param qs probabilities in (0, 1), e.g. `[0.05, 0.5, 0.95]`
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[qs.length, ...site shape]` per site
   */
  quantiles(qs: readonly number[], ...args: A): GuideValues {
    checkQuantiles(this.prefix, qs);
    refuseDependentSupports(this.prefix, this.setup(args));
    return tf.tidy(() => {
      const { slots, posterior } = this.currentPosterior(args);
      const z = tf.tensor1d(qs.map(ndtriNumber)).expandDims(1);
      const latent = posterior.loc.expandDims(0).add(z.mul(posterior.marginalScale.expandDims(0)));
      return this.unpackAll(slots, latent, [qs.length], args);
    });
  }

  /**
   * The posterior covariance of the unconstrained latent vector, `[D, D]`,
   * its coordinates in the order of `siteNames` (each site flattened).
   * @param args the model's arguments (used only before the guide's first run)
   */
  covariance(...args: A): tf.Tensor {
    return tf.tidy(() => this.currentPosterior(args).posterior.covariance());
  }

  /**
   * Joint draws from the guide in constrained space.
   * @param numSamples how many draws
   * @param args the model's arguments (used only before the guide's first run)
   * @returns a tensor `[numSamples, ...site shape]` per site
   */
  sample(numSamples: number, ...args: A): GuideValues {
    checkNumSamples(this.prefix, numSamples, this.setup(args));
    refuseDependentSupports(this.prefix, this.setup(args));
    return tf.tidy(() => {
      const { slots, posterior } = this.currentPosterior(args);
      return this.unpackAll(slots, posterior.sample([numSamples], nextSeed(`${this.prefix}.sample`)), [numSamples], args);
    });
  }
}

/** A site's slice of `latent [...lead, D]`, shaped `[...lead, ...unconstrained shape]`. */
function unpack(latent: tf.Tensor, slot: Slot, lead: readonly number[]): tf.Tensor {
  const flat = latent.reshape([-1, latent.shape[latent.rank - 1]!]);
  return flat.slice([0, slot.offset], [flat.shape[0]!, slot.size]).reshape([...lead, ...slot.shape]);
}

/** The site whose Delta carries log q: the one with the fewest batch elements (a global site when there is one). */
function carrierOf(slots: readonly Slot[]): Slot | undefined {
  let best: Slot | undefined;
  let bestSize = Infinity;
  for (const slot of slots) {
    const size = slot.site.shape.slice(0, slot.site.shape.length - slot.site.eventDim).reduce((a, b) => a * b, 1);
    if (size < bestSize) [best, bestSize] = [slot, size];
  }
  return best;
}

/** The batch shape of the vectorised plates around the guide call ([] when there are none). */
function* enclosingBatchShape(who: string): ModelGenerator<number[]> {
  const query: PlateMsg = { type: "plate", name: `${who}.latent`, frames: [], value: undefined, done: false, stop: false };
  yield query;
  const frames = query.frames.filter(isVectorizedFrame);
  const rank = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(rank).fill(1);
  for (const f of frames) shape[rank + f.dim] = f.subsampleSize;
  return shape;
}

/** The outer batch dims that go in front of a site's own shape: those left of its batch dims. */
function leadingShape(who: string, site: PrototypeSite, outer: readonly number[], batchRank: number): number[] {
  const keep = Math.max(0, outer.length - batchRank);
  if (outer.slice(keep).some((d) => d !== 1)) {
    throw new PPLShapeError(
      `${who}: site '${site.name}' has batch dims [${site.shape.slice(0, batchRank).join(", ")}], which overlap a plate ` +
        `around the guide (batch [${outer.join(", ")}]). Fix: put the outer plate left of the model's plates ` +
        "(dim: -(maxPlateNesting + 1))",
      { site: site.name, expected: `outer plates left of dim ${-batchRank}`, actual: `[${outer.join(", ")}]` },
    );
  }
  return outer.slice(0, keep);
}
