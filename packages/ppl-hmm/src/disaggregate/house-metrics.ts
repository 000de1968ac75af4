/**
 * The house command's scores, in watts: per appliance the mean absolute
 * error, the relative energy error and the on/off F1 (on = above the
 * appliance's threshold, in the estimate and in the truth alike); overall
 * TECA (Kolter & Johnson 2011) and the mean F1. The all-zero estimate's TECA
 * is 0.5 on any data: TECA alone rewards timidity, so both are reported.
 */

/** F1 of "on" against the truth; nothing on in either scores 1 (nothing to find, nothing found). */
export function onOffF1(estimate: readonly boolean[], truth: readonly boolean[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  truth.forEach((y, t) => {
    if (estimate[t] && y) tp++;
    else if (estimate[t]) fp++;
    else if (y) fn++;
  });
  return tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
}

/** TECA = 1 − Σ_t Σ_m |ŷ − y| / (2 Σ_t Σ_m y), estimate and truth [M][T]. */
export function teca(estimate: readonly (readonly number[])[], truth: readonly (readonly number[])[]): number {
  let err = 0;
  let total = 0;
  truth.forEach((y, m) => y.forEach((v, t) => {
    err += Math.abs(estimate[m]![t]! - v);
    total += v;
  }));
  return 1 - err / (2 * total);
}

/** One appliance's scores. */
export interface ApplianceScore {
  readonly name: string;
  readonly maeW: number;
  readonly energyError: number;
  readonly f1: number;
  readonly onThresholdW: number;
  readonly energyKwh: { readonly true: number; readonly estimated: number };
}

/** Every score of one estimate. */
export interface HouseMetrics {
  readonly appliances: ApplianceScore[];
  readonly teca: number;
  readonly meanF1: number;
  /** TECA of predicting 0 W for every appliance: the floor any estimate should clear. */
  readonly zeroTeca: number;
}

const kwh = (w: ArrayLike<number>, stepSeconds: number) => (Array.from(w).reduce((a, b) => a + b, 0) * stepSeconds) / 3600 / 1000;

/** Scores `estimate` [M][T] against `truth` [M][T] (W), each appliance on above `thresholds[m]` W. */
export function scoreHouse(names: readonly string[], estimate: readonly ArrayLike<number>[], truth: readonly ArrayLike<number>[], thresholds: readonly number[], stepSeconds: number): HouseMetrics {
  const est = estimate.map((e) => Array.from(e));
  const tru = truth.map((y) => Array.from(y));
  const appliances = names.map((name, m) => {
    const e = est[m]!;
    const y = tru[m]!;
    const on = (x: number[]) => x.map((v) => v > thresholds[m]!);
    const E = kwh(y, stepSeconds);
    return {
      name,
      maeW: e.reduce((a, v, t) => a + Math.abs(v - y[t]!), 0) / y.length,
      // |Ê − E| / E, E at least 1 Wh (an appliance that never ran would turn a few watt-minutes into a huge ratio)
      energyError: Math.abs(kwh(e, stepSeconds) - E) / Math.max(E, 0.001),
      f1: onOffF1(on(e), on(y)),
      onThresholdW: thresholds[m]!,
      energyKwh: { true: E, estimated: kwh(e, stepSeconds) },
    };
  });
  return {
    appliances,
    teca: teca(est, tru),
    meanF1: appliances.reduce((a, s) => a + s.f1, 0) / appliances.length,
    zeroTeca: teca(tru.map((y) => y.map(() => 0)), tru),
  };
}
