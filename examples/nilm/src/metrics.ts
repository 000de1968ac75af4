/**
 * The metrics NILM papers report, on plain arrays: per-appliance state
 * accuracy, on/off F1 (on = any state but off, state 0), relative energy
 * error, and the total energy correctly assigned (TECA, Kolter & Johnson
 * 2011, "REDD: a public data set for energy disaggregation research"):
 *
 *   TECA = 1 − Σ_t Σ_m |ŷ_m,t − y_m,t| / (2 Σ_t Σ_m y_m,t)
 *
 * with y the sub-metered power and ŷ the estimate (the learned level of the
 * decoded state). 1 is perfect; assigning all energy to the wrong appliance gives 0.
 */

/** The fraction of minutes whose decoded state is the true one. */
export function stateAccuracy(decoded: readonly number[], truth: readonly number[]): number {
  if (decoded.length !== truth.length || truth.length === 0) throw new RangeError(`stateAccuracy: lengths ${decoded.length} and ${truth.length} (need equal, non-zero)`);
  let hits = 0;
  for (let t = 0; t < truth.length; t++) if (decoded[t] === truth[t]) hits++;
  return hits / truth.length;
}

/**
 * F1 of "on" (state ≠ 0) against the truth. An appliance that is off
 * throughout and decoded off throughout scores 1 (nothing to find, nothing
 * found); one that is never on but decoded on somewhere scores 0.
 */
export function onOffF1(decoded: readonly number[], truth: readonly number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let t = 0; t < truth.length; t++) {
    const d = decoded[t] !== 0;
    const y = truth[t] !== 0;
    if (d && y) tp++;
    else if (d) fp++;
    else if (y) fn++;
  }
  if (tp + fp + fn === 0) return 1;
  return (2 * tp) / (2 * tp + fp + fn);
}

/** kWh of a series of one-minute kW readings. */
export function energyKwh(power: readonly number[]): number {
  return power.reduce((s, w) => s + w, 0) / 60;
}

/**
 * |Ê − E| / E for one appliance's estimated and true series, where E is at
 * least 0.01 kWh (an appliance that barely ran would otherwise turn a few watt-minutes into a huge ratio).
 */
export function energyError(estimate: readonly number[], truth: readonly number[]): number {
  const e = energyKwh(truth);
  return Math.abs(energyKwh(estimate) - e) / Math.max(e, 0.01);
}

/** TECA over all appliances: estimate and truth [M][T] kW. */
export function teca(estimate: readonly (readonly number[])[], truth: readonly (readonly number[])[]): number {
  let err = 0;
  let total = 0;
  truth.forEach((y, m) => {
    const yh = estimate[m]!;
    for (let t = 0; t < y.length; t++) {
      err += Math.abs(yh[t]! - y[t]!);
      total += y[t]!;
    }
  });
  return 1 - err / (2 * total);
}

/** The estimated power of each appliance: its learned level at its decoded state, [M][T]. */
export function estimatedPower(states: readonly (readonly number[])[], locs: readonly (readonly number[])[]): number[][] {
  return states.map((z, m) => z.map((k) => locs[m]![k]!));
}
