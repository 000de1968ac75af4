/**
 * The two workflows' learning step.
 *
 * Supervised: each appliance's HMM (the seed tutorial's four globals, its
 * states summed out by one DiscreteHMM site) learned by SVI from the
 * appliance's own sub-metered series, AutoDelta started at the catalogue's
 * values; the meter's noise from what the mains has beyond the sub-meters' sum.
 *
 * Unsupervised: every appliance's levels, spreads, transitions and the meter
 * noise learned from the mains alone, JitTraceEnumELBO + AutoDelta on the
 * factorial model itself (all the chains' states summed out jointly) under
 * the catalogue's informative priors.
 *
 * Both fit with the compiled ELBO (docs/compiled.md): AutoDelta draws nothing
 * and the models read no param in JS, so each step after the first replays.
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type CompiledLossStats, DiscreteHMM, type Model, SVI, block, clearParamStore, dist, sample, setRngSeed } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { JitTraceEnumELBO } from "ppl-enum";
import { type AppliancePrior, type FactorialPrior, type Globals, factorialModelVectorized, globalSites, siteNames } from "./model.js";

/** SVI settings of either workflow. */
export interface LearnOptions {
  readonly steps: number;
  readonly lr: number;
  readonly seed: number;
}

/** One appliance's HMM with its states summed out: the seed model for one sub-metered series `power` [T] kW. */
export function* applianceModel(power: tf.Tensor1D, prior: AppliancePrior) {
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.tensor2d(prior.transConcentration as number[][])).toEvent(1));
  const locs = yield* sample("locs", dist.Normal(tf.tensor1d(prior.locLoc as number[]), tf.tensor1d(prior.locScale as number[])).toEvent(1));
  const scales = yield* sample("scales", dist.LogNormal(tf.tensor1d(prior.scaleMedian.map(Math.log)), prior.scaleSpread).toEvent(1));
  // DiscreteHMM (like Pyro's) transitions once before the first reading: from the stationary start that leaves it unchanged
  const init = tf.tensor1d(prior.probsInit as number[]).log();
  yield* sample("power", new DiscreteHMM(init, probsTrans.log(), dist.Normal(locs, scales), { duration: power.shape[0] }), { obs: power });
}

/** The prior's modes as site values: where AutoDelta starts (Dirichlet(1 + s·p) has its mode at p). */
function priorCentre(p: AppliancePrior): { probsTrans: number[][]; locs: number[]; scales: number[] } {
  const probsTrans = p.transConcentration.map((row) => {
    // a transition the catalogue rules out starts just above 0: a simplex's unconstrained coordinates cannot hold an exact 0
    const mode = row.map((c) => Math.max(1e-4, c - 1));
    const s = mode.reduce((a, b) => a + b, 0);
    return mode.map((c) => c / s);
  });
  return { probsTrans, locs: [...p.locLoc], scales: [...p.scaleMedian] };
}

/** SVI with AutoDelta over `sites`, started at `init`; returns the learned values as plain numbers, the loss per step and the compiled loss's counts. */
function fit<A extends unknown[]>(
  model: Model<A>,
  args: A,
  sites: string[],
  init: Record<string, tf.Tensor>,
  o: LearnOptions,
  maxPlateNesting = 0,
): { values: Record<string, PlainValue>; losses: number[]; compileStats: CompiledLossStats } {
  clearParamStore();
  setRngSeed(o.seed);
  const guide = new AutoDelta(block(model, { expose: sites }), { initLocFn: initToValue({ values: init }) });
  const optim = new Adam({ lr: o.lr });
  const loss = new JitTraceEnumELBO({ maxPlateNesting });
  const svi = new SVI(model, guide, optim, loss);
  const losses: number[] = [];
  for (let s = 0; s < o.steps; s++) losses.push(svi.step(...args));
  const med = guide.median(...args);
  const values = Object.fromEntries(Object.entries(med).map(([k, v]) => [k, v.arraySync() as PlainValue]));
  tf.dispose([...Object.values(med), ...Object.values(init)]);
  optim.reset();
  const compileStats = { ...loss.compileStats };
  loss.dispose();
  clearParamStore();
  return { values, losses, compileStats };
}

type PlainValue = number | number[] | number[][];

/** What learning returns: the globals, each appliance's (or the joint) loss curve, and the wall time. */
export interface Learned {
  readonly globals: Globals;
  readonly losses: number[][];
  readonly seconds: number;
  /** Each fit's (each appliance's, or the joint one's) compiled-loss counts: calls recorded, replayed, run interpreted. */
  readonly compileStats: CompiledLossStats[];
}

/**
 * Supervised: each appliance from its own series `power[m]` [T] kW; the
 * meter noise is the spread of mains − Σ power.
 */
export function learnSupervised(power: readonly (readonly number[])[], mains: readonly number[], prior: FactorialPrior, o: LearnOptions): Learned {
  const t0 = performance.now();
  const probsTrans: number[][][] = [];
  const locs: number[][] = [];
  const scales: number[][] = [];
  const losses: number[][] = [];
  const compileStats: CompiledLossStats[] = [];
  prior.appliances.forEach((p, m) => {
    const c = priorCentre(p);
    const init = { probs_trans: tf.tensor2d(c.probsTrans), locs: tf.tensor1d(c.locs), scales: tf.tensor1d(c.scales) };
    const series = tf.tensor1d(power[m] as number[]);
    const r = fit(applianceModel, [series, p], ["probs_trans", "locs", "scales"], init, { ...o, seed: o.seed + m });
    series.dispose();
    probsTrans.push(r.values.probs_trans as number[][]);
    locs.push(r.values.locs as number[]);
    scales.push(r.values.scales as number[]);
    losses.push(r.losses);
    compileStats.push(r.compileStats);
  });
  const residual = mains.map((y, t) => y - power.reduce((s, w) => s + w[t]!, 0));
  const mu = residual.reduce((a, b) => a + b, 0) / residual.length;
  const noise = Math.sqrt(residual.reduce((a, r) => a + (r - mu) ** 2, 0) / Math.max(1, residual.length - 1));
  return { globals: { probsTrans, locs, scales, noise }, losses, seconds: (performance.now() - t0) / 1000, compileStats };
}

/** Unsupervised: all globals from the mains [T] kW alone, the factorial model's states enumerated. */
export function learnUnsupervised(mains: readonly number[], prior: FactorialPrior, o: LearnOptions): Learned {
  const M = prior.appliances.length;
  const t0 = performance.now();
  const init: Record<string, tf.Tensor> = { noise: tf.scalar(prior.noiseMedian) };
  prior.appliances.forEach((p, m) => {
    const c = priorCentre(p);
    const names = siteNames(m);
    init[names.trans] = tf.tensor2d(c.probsTrans);
    init[names.locs] = tf.tensor1d(c.locs);
    init[names.scales] = tf.tensor1d(c.scales);
  });
  const y = tf.tensor1d(mains as number[]);
  const r = fit(factorialModelVectorized, [y, prior], globalSites(M), init, o, 1);
  y.dispose();
  const get = (k: string) => r.values[k]!;
  const globals: Globals = {
    probsTrans: Array.from({ length: M }, (_, m) => get(siteNames(m).trans) as number[][]),
    locs: Array.from({ length: M }, (_, m) => get(siteNames(m).locs) as number[]),
    scales: Array.from({ length: M }, (_, m) => get(siteNames(m).scales) as number[]),
    noise: get("noise") as number,
  };
  return { globals, losses: [r.losses], seconds: (performance.now() - t0) / 1000, compileStats: [r.compileStats] };
}
