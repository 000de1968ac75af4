/**
 * The household's factorial model learned from the training rows: each
 * appliance's Gaussian HMM from its own sub-meter (its number of states
 * given, or chosen by BIC up to a cap), and the unmetered rest — mains − Σ
 * sub-meters, always positive and busy on a real house — as a chain of its
 * own with many states (by default 10: its levels are the many loads no
 * sub-meter sees). The mains are the sum of all the chains' levels.
 */
import { type GaussianHmm, fitByBic, fitGaussianHmm } from "./gaussian-hmm.js";

/** How many states each chain gets. */
export interface StateOptions {
  /** Per appliance name, a fixed number of states (others: by BIC). */
  readonly states: Readonly<Record<string, number>>;
  /** The most states BIC may choose for an appliance (default 3). */
  readonly maxStates: number;
  /** States of the unmetered rest's chain (default 10). */
  readonly residualStates: number;
}

/** The learned model: one chain per appliance (in the order given), then the rest's. */
export interface HouseModel {
  readonly names: readonly string[];
  readonly appliances: readonly GaussianHmm[];
  readonly residual: GaussianHmm;
}

/** All chains, the rest's last: what the factorial decoder takes. */
export const chainsOf = (h: HouseModel): GaussianHmm[] => [...h.appliances, h.residual];

/** Learns every chain from the training rows `train` (mains and sub-meters of rows 0 .. split-1). */
export function learnHouse(mains: Float64Array, appliances: readonly Float64Array[], names: readonly string[], split: number, o: StateOptions): HouseModel {
  const fitted = appliances.map((a, m) => {
    const y = a.subarray(0, split);
    const K = o.states[names[m]!];
    return K === undefined ? fitByBic(y, o.maxStates) : fitGaussianHmm(y, K);
  });
  const rest = Float64Array.from({ length: split }, (_, t) => mains[t]! - appliances.reduce((s, a) => s + a[t]!, 0));
  return { names, appliances: fitted, residual: fitGaussianHmm(rest, o.residualStates) };
}
