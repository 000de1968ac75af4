/**
 * The model choices the data make, from the training rows only: the number
 * of states of the unmetered rest's chain and the meter's weight (how much
 * each minute's reading counts, factorial.ts). The last day of the training
 * rows (at most a quarter of them) is held out: every candidate is learned
 * on the rows before it, disaggregates it, and is scored against its
 * sub-meters, which training rows always have; the best TECA + mean F1 wins
 * (ties: fewer states, then the larger weight). The test rows play no part.
 */
import type { GaussianHmm } from "./gaussian-hmm.js";
import { type HouseMetrics, scoreHouse } from "./house-metrics.js";
import { approxMap } from "./approx-map.js";
import { MAX_EXACT_STATES, factorialMarginalModes } from "./factorial.js";
import { type ApplianceStates, learnAppliances, learnRest, restOf } from "./learn-house.js";

/** The rest's numbers of states tried by `--residual-states auto`. */
export const RESIDUAL_STATES_CANDIDATES = [1, 2, 3, 4, 6, 8, 10, 12] as const;
/** The meter weights tried by `--meter-weight auto`. */
export const METER_WEIGHT_CANDIDATES = [1, 0.5, 0.2, 0.1, 0.05] as const;

/** A choice given (a number) or left to the held-out day ("auto"). */
export type Choice = number | "auto";

/** What the selection needs besides the data. */
export interface SelectOptions extends ApplianceStates {
  readonly residualStates: Choice;
  readonly meterWeight: Choice;
  readonly onThresholds: Readonly<Record<string, number>>;
  readonly inference: "exact" | "approx";
}

/** One candidate's scores on the held-out rows. */
export interface Candidate {
  readonly residualStates: number;
  readonly meterWeight: number;
  readonly teca: number;
  readonly meanF1: number;
}

/** The choice, and every candidate's scores (model.json keeps them). */
export interface Selection {
  readonly residualStates: number;
  readonly meterWeight: number;
  /** Rows held out at the end of the training rows (0 when nothing was left to choose). */
  readonly validationRows: number;
  readonly candidates: readonly Candidate[];
}

/** The default on threshold of a learned appliance: 10 % of its highest level, at least 10 W. */
export const defaultThreshold = (locs: readonly number[]): number => Math.max(10, 0.1 * Math.max(...locs));

/** Each chain's state at every row of `mains`: marginal modes (exact) or beam search + iterated conditional modes (approx). */
export function decode(mains: ArrayLike<number>, chains: readonly GaussianHmm[], weight: number, inference: "exact" | "approx"): number[][] {
  return inference === "exact" ? factorialMarginalModes(mains, chains, weight) : approxMap(mains, chains, { weight }).states;
}

/** Scores the appliances' decoded levels on rows [from, to) against their sub-meters. */
export function scoreRows(
  names: readonly string[], chains: readonly GaussianHmm[], states: readonly number[][], truth: readonly Float64Array[],
  from: number, to: number, onThresholds: Readonly<Record<string, number>>, stepSeconds: number,
): HouseMetrics {
  const estimate = names.map((_, m) => Float64Array.from(states[m]!, (k) => chains[m]!.locs[k]!));
  const thresholds = names.map((n, m) => onThresholds[n] ?? defaultThreshold(chains[m]!.locs));
  return scoreHouse(names, estimate, truth.map((a) => a.subarray(from, to)), thresholds, stepSeconds);
}

/**
 * The rest's states and the meter weight: given ones kept, "auto" ones chosen
 * on the held-out last day of the training rows [0, split).
 */
export function selectModel(
  mains: Float64Array, appliances: readonly Float64Array[], names: readonly string[], split: number, stepSeconds: number, o: SelectOptions,
): Selection {
  const Ks = o.residualStates === "auto" ? [...RESIDUAL_STATES_CANDIDATES] : [o.residualStates];
  const ws = o.meterWeight === "auto" ? [...METER_WEIGHT_CANDIDATES] : [o.meterWeight];
  if (Ks.length === 1 && ws.length === 1) return { residualStates: Ks[0]!, meterWeight: ws[0]!, validationRows: 0, candidates: [] };
  const held = Math.min(Math.round(86_400 / stepSeconds), Math.floor(split / 4));
  const start = split - held;
  const chains = learnAppliances(appliances, names, start, o);
  const rest = restOf(mains, appliances, start);
  const y = mains.subarray(start, split);
  const candidates: Candidate[] = [];
  for (const K of Ks) {
    // a candidate exact inference cannot take is not a candidate
    if (o.inference === "exact" && chains.reduce((s, c) => s * c.locs.length, K) > MAX_EXACT_STATES) continue;
    const all = [...chains, learnRest(rest, K)];
    for (const w of ws) {
      const s = scoreRows(names, all, decode(y, all, w, o.inference), appliances, start, split, o.onThresholds, stepSeconds);
      candidates.push({ residualStates: K, meterWeight: w, teca: s.teca, meanF1: s.meanF1 });
    }
  }
  const best = candidates.reduce((a, c) => (c.teca + c.meanF1 > a.teca + a.meanF1 ? c : a));
  return { residualStates: best.residualStates, meterWeight: best.meterWeight, validationRows: held, candidates };
}
