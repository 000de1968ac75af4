/**
 * The household's factorial model learned from training rows: each
 * appliance's Gaussian HMM from its own sub-meter (its number of states
 * given, or chosen by BIC up to a cap), and the unmetered rest — mains − Σ
 * sub-meters, always positive and busy on a real house — as a chain of its
 * own with K states. The mains are the sum of all the chains' levels; each
 * minute's reading counts `meterWeight` times (factorial.ts). Every chain is
 * learned by ppl-hmm's own fit (gaussian-hmm.ts).
 */
import { type GaussianHmm, fitByBic, fitGaussianHmm } from "./gaussian-hmm.js";

/** How many states each appliance's chain gets. */
export interface ApplianceStates {
  /** Per appliance name, a fixed number of states (others: by BIC). */
  readonly states: Readonly<Record<string, number>>;
  /** The most states BIC may choose for an appliance (default 3). */
  readonly maxStates: number;
}

/** The learned model: one chain per appliance (in the order given), then the rest's, and the meter's weight. */
export interface HouseModel {
  readonly names: readonly string[];
  readonly appliances: readonly GaussianHmm[];
  readonly residual: GaussianHmm;
  readonly meterWeight: number;
}

/** All chains, the rest's last: what the factorial decoder takes. */
export const chainsOf = (h: HouseModel): GaussianHmm[] => [...h.appliances, h.residual];

/** Each appliance's chain, from its sub-meter on rows 0 .. end-1. */
export function learnAppliances(appliances: readonly Float64Array[], names: readonly string[], end: number, o: ApplianceStates): GaussianHmm[] {
  return appliances.map((a, m) => {
    const y = a.subarray(0, end);
    const K = o.states[names[m]!];
    const name = `${names[m]!} on the training rows`;
    return K === undefined ? fitByBic(y, o.maxStates, { name }) : fitGaussianHmm(y, K, { name });
  });
}

/** The unmetered rest, mains − Σ sub-meters, on rows 0 .. end-1. */
export function restOf(mains: Float64Array, appliances: readonly Float64Array[], end: number): Float64Array {
  return Float64Array.from({ length: end }, (_, t) => mains[t]! - appliances.reduce((s, a) => s + a[t]!, 0));
}

/** The rest's chain with K states. */
export function learnRest(rest: Float64Array, K: number): GaussianHmm {
  return fitGaussianHmm(rest, K, { name: "the unmetered rest (mains minus the sub-meters) on the training rows" });
}
