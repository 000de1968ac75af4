/**
 * The factorial HMM of a household meter, written the way the seed tutorial
 * writes one chain, M times, inside one markov loop: at each minute every
 * appliance's state follows its own transition row, and the meter reads the
 * sum of the appliances' levels plus Gaussian noise. No product state: the
 * M chains only meet in the emission, and enumeration eliminates them one
 * at a time.
 *
 * The appliances' globals are sample sites under informative priors from
 * the catalogue, so the same model serves both workflows: conditioned on
 * learned values for decoding (supervised), and learned from the mains alone
 * by TraceEnumELBO + AutoDelta (unsupervised).
 */
import * as tf from "@tensorflow/tfjs";
import { type TimeSlice, dist, markov, range, sample, vectorizedMarkov, vindex } from "ppl-core";
import { type ApplianceType, METER_NOISE, stationary, transitionMatrix } from "./catalogue.js";

/** Prior hyper-parameters of one appliance (plain numbers, kW). */
export interface AppliancePrior {
  readonly name: string;
  /** [K] the start distribution (a constant of the model, not learned). */
  readonly probsInit: readonly number[];
  /** [K, K] Dirichlet concentration of each transition row. */
  readonly transConcentration: readonly (readonly number[])[];
  /** [K] prior mean and spread of the levels. */
  readonly locLoc: readonly number[];
  readonly locScale: readonly number[];
  /** [K] prior median of the within-state spreads (LogNormal with log-scale `scaleSpread`). */
  readonly scaleMedian: readonly number[];
  readonly scaleSpread: number;
}

/** The whole household's prior: one per appliance plus the meter noise's (LogNormal) median and spread. */
export interface FactorialPrior {
  readonly appliances: readonly AppliancePrior[];
  readonly noiseMedian: number;
  readonly noiseSpread: number;
}

/** Site names of appliance m's globals. */
export const siteNames = (m: number) => ({ trans: `probs_trans_${m}`, locs: `locs_${m}`, scales: `scales_${m}` });

/** Every global site of an M-appliance model (what AutoDelta learns, what decoding conditions on). */
export function globalSites(M: number): string[] {
  return [...Array.from({ length: M }, (_, m) => Object.values(siteNames(m))).flat(), "noise"];
}

/** The name of appliance m's state at minute t. */
export const stateSite = (m: number, t: number) => `z_${m}_${t}`;

const enumerate = { infer: { enumerate: "parallel" as const } };

/** The globals of every appliance and the meter, sampled from the prior (or pinned by condition / replayed from a guide). */
export function* factorialGlobals(prior: FactorialPrior) {
  const probsTrans: tf.Tensor[] = [];
  const locs: tf.Tensor[] = [];
  const scales: tf.Tensor[] = [];
  for (const [m, p] of prior.appliances.entries()) {
    const names = siteNames(m);
    probsTrans.push(yield* sample(names.trans, dist.Dirichlet(tf.tensor2d(p.transConcentration as number[][])).toEvent(1)));
    locs.push(yield* sample(names.locs, dist.Normal(tf.tensor1d(p.locLoc as number[]), tf.tensor1d(p.locScale as number[])).toEvent(1)));
    scales.push(yield* sample(names.scales, dist.LogNormal(tf.tensor1d(p.scaleMedian.map(Math.log)), p.scaleSpread).toEvent(1)));
  }
  const noise = yield* sample("noise", dist.LogNormal(Math.log(prior.noiseMedian), prior.noiseSpread));
  const probsInit = prior.appliances.map((p) => tf.tensor1d(p.probsInit as number[]));
  return { probsInit, probsTrans, locs, scales, noise };
}

type FactorialGlobals = ReturnType<typeof factorialGlobals> extends Generator<unknown, infer R, unknown> ? R : never;

/**
 * One minute of the household: each appliance's chain steps from its state
 * `z[m]` (undefined at the start), as the tutorial writes one chain; the
 * meter reads `y` around the sum of their levels. `z` is updated in place.
 */
function* minute(t: number | TimeSlice, z: (tf.Tensor | undefined)[], g: FactorialGlobals, y: tf.Tensor) {
  let mean: tf.Tensor | undefined;
  let variance = g.noise.square();
  for (let m = 0; m < z.length; m++) {
    const prev = z[m];
    const probs = prev === undefined ? g.probsInit[m]! : vindex(g.probsTrans[m]!, "...", prev, ":");
    const zm = yield* sample(`z_${m}_${t}`, dist.Categorical(probs), enumerate);
    z[m] = zm;
    const level = vindex(g.locs[m]!, "...", zm);
    mean = mean === undefined ? level : mean.add(level);
    variance = variance.add(vindex(g.scales[m]!, "...", zm).square());
  }
  yield* sample(`y_${t}`, dist.Normal(mean!, variance.sqrt()), { obs: y });
}

/**
 * The factorial model. `mains` [T] kW; the prior fixes M. Appliance m's state
 * at minute t is `z_{m}_{t}`, the meter reading `y_{t}`.
 *
 * @example
 * const prior = cataloguePrior(appliances(3));
 * const loss = new TraceEnumELBO({ maxPlateNesting: 0 }).loss(factorialModel, guide, tf.tensor1d(mains), prior);
 */
export function* factorialModel(mains: tf.Tensor1D, prior: FactorialPrior) {
  const g = yield* factorialGlobals(prior);
  const ys = tf.unstack(mains);
  const z = new Array<tf.Tensor | undefined>(prior.appliances.length);
  yield* markov(range(ys.length), function* (t) {
    yield* minute(t, z, g, ys[t]!);
  });
}

/**
 * The same model with time vectorised (Pyro's vectorized_markov): the minute
 * written once for t = 0 and once for all of t = 1..T-1 on dim -1, which
 * TraceEnumELBO sums out with one fused pass over time (2M enumerated dims
 * beside the time dim). It is what the unsupervised workflow learns with and
 * what exact MAP decodes (same loss and states as the loop, tested): 2M
 * sites whose factors are a few kernels each, where the loop has T·M.
 */
export function* factorialModelVectorized(mains: tf.Tensor1D, prior: FactorialPrior) {
  const g = yield* factorialGlobals(prior);
  const z = new Array<tf.Tensor | undefined>(prior.appliances.length);
  yield* vectorizedMarkov("time", mains.shape[0], { dim: -1 }, function* (t, i) {
    yield* minute(t, z, g, vindex(mains, i));
  });
}

/**
 * The catalogue's informative prior for the unsupervised workflow: levels
 * within ~15 % of the rated power (off within 5 W of zero), transition rows
 * `strength` pseudo-minutes of the catalogue's matrix, spreads and meter noise
 * within a factor ~2 of the catalogue's.
 */
export function cataloguePrior(types: readonly ApplianceType[], strength = 50): FactorialPrior {
  return {
    appliances: types.map((a) => {
      const P = transitionMatrix(a);
      return {
        name: a.name,
        probsInit: stationary(P),
        transConcentration: P.map((row) => row.map((p) => 1 + strength * p)),
        locLoc: [...a.levels],
        locScale: a.levels.map((l) => Math.max(0.005, 0.15 * l)),
        scaleMedian: [...a.sds],
        scaleSpread: 0.7,
      };
    }),
    noiseMedian: METER_NOISE,
    noiseSpread: 0.7,
  };
}

/** The sites of learned parameters as tensors: what `condition` pins for decoding. */
export interface Globals {
  readonly probsTrans: number[][][];
  readonly locs: number[][];
  readonly scales: number[][];
  readonly noise: number;
}

/** `Globals` as the model's site values. */
export function globalValues(g: Globals): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = { noise: tf.scalar(g.noise) };
  g.locs.forEach((_, m) => {
    const names = siteNames(m);
    out[names.trans] = tf.tensor2d(g.probsTrans[m]!);
    out[names.locs] = tf.tensor1d(g.locs[m]!);
    out[names.scales] = tf.tensor1d(g.scales[m]!);
  });
  return out;
}
