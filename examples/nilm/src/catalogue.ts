/**
 * The appliance catalogue: for each type, three power levels (off and two
 * working modes), how much each level wobbles, how long each state lasts on
 * average and where a state goes when it ends. From these, each appliance is
 * the seed tutorial's Gaussian HMM with K = 3 states (in kW, the unit the
 * models work in: watts would make Adam's steps tiny next to the levels).
 *
 * The figures are typical of a European household: rated powers from
 * manufacturers' sheets, durations from the usual cycles (a fridge's compressor
 * runs ~20 min in the hour, a kettle boils for ~3 min a few times a day, a
 * washing machine heats then spins).
 */

/** The number of states of every appliance's chain (off and two working levels). */
export const K = 3;

/** One appliance type of the catalogue. */
export interface ApplianceType {
  /** Display name, e.g. "fridge". */
  readonly name: string;
  /** What the three states are, e.g. ["off", "compressor", "defrost"]. */
  readonly states: readonly [string, string, string];
  /** Mean power of each state, kW (state 0 is off: 0). */
  readonly levels: readonly [number, number, number];
  /** Standard deviation of the power within each state, kW. */
  readonly sds: readonly [number, number, number];
  /** Mean time spent in each state once entered, minutes (so the self-transition is 1 − 1/duration). */
  readonly durations: readonly [number, number, number];
  /** Row k: where state k goes when it ends (the off-diagonal split, its own entry ignored). */
  readonly next: readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];
}

/** The one-appliance parameters the models use: the seed HMM's four globals per appliance. */
export interface ApplianceParams {
  readonly name: string;
  readonly states: readonly string[];
  /** [K] */
  readonly probsInit: number[];
  /** [K, K], rows sum to 1 */
  readonly probsTrans: number[][];
  /** [K] kW */
  readonly locs: number[];
  /** [K] kW */
  readonly scales: number[];
}

/** Twelve appliance types; `appliances(M)` takes the first M (and variants beyond twelve). */
export const CATALOGUE: readonly ApplianceType[] = [
  {
    name: "fridge",
    states: ["off", "compressor", "defrost"],
    levels: [0, 0.09, 0.2],
    sds: [0.002, 0.006, 0.01],
    durations: [40, 20, 15],
    next: [[0, 0.97, 0.03], [0.95, 0, 0.05], [0.9, 0.1, 0]],
  },
  {
    name: "kettle",
    states: ["off", "boil", "reboil"],
    levels: [0, 2.2, 1.4],
    sds: [0.002, 0.04, 0.04],
    durations: [240, 3, 2],
    next: [[0, 0.9, 0.1], [0.8, 0, 0.2], [0.9, 0.1, 0]],
  },
  {
    name: "washing machine",
    states: ["off", "wash", "spin"],
    levels: [0, 0.5, 0.8],
    sds: [0.002, 0.03, 0.04],
    durations: [600, 40, 12],
    next: [[0, 1, 0], [0.05, 0, 0.95], [0.6, 0.4, 0]],
  },
  {
    name: "electric heater",
    states: ["off", "low", "high"],
    levels: [0, 1, 2],
    sds: [0.002, 0.02, 0.03],
    durations: [180, 60, 30],
    next: [[0, 0.7, 0.3], [0.6, 0, 0.4], [0.3, 0.7, 0]],
  },
  {
    name: "dishwasher",
    states: ["off", "pump", "heat"],
    levels: [0, 0.15, 1.8],
    sds: [0.002, 0.01, 0.04],
    durations: [720, 25, 15],
    next: [[0, 1, 0], [0.3, 0, 0.7], [0.1, 0.9, 0]],
  },
  {
    name: "microwave",
    states: ["off", "cook", "defrost"],
    levels: [0, 1.2, 0.6],
    sds: [0.002, 0.03, 0.02],
    durations: [300, 3, 5],
    next: [[0, 0.8, 0.2], [0.9, 0, 0.1], [0.5, 0.5, 0]],
  },
  {
    name: "oven",
    states: ["off", "preheat", "hold"],
    levels: [0, 2.4, 1.1],
    sds: [0.002, 0.05, 0.04],
    durations: [900, 12, 30],
    next: [[0, 1, 0], [0.05, 0, 0.95], [0.7, 0.3, 0]],
  },
  {
    name: "TV",
    states: ["off", "on", "bright"],
    levels: [0, 0.1, 0.16],
    sds: [0.002, 0.005, 0.006],
    durations: [240, 60, 30],
    next: [[0, 0.9, 0.1], [0.7, 0, 0.3], [0.2, 0.8, 0]],
  },
  {
    name: "lighting",
    states: ["off", "some", "all"],
    levels: [0, 0.06, 0.25],
    sds: [0.002, 0.004, 0.01],
    durations: [120, 90, 45],
    next: [[0, 0.8, 0.2], [0.6, 0, 0.4], [0.3, 0.7, 0]],
  },
  {
    name: "EV charger",
    states: ["off", "charge", "taper"],
    levels: [0, 7.2, 2.5],
    sds: [0.002, 0.08, 0.1],
    durations: [1000, 120, 30],
    next: [[0, 1, 0], [0.1, 0, 0.9], [0.95, 0.05, 0]],
  },
  {
    name: "tumble dryer",
    states: ["off", "tumble", "heat"],
    levels: [0, 0.3, 2.6],
    sds: [0.002, 0.02, 0.05],
    durations: [800, 8, 20],
    next: [[0, 0.2, 0.8], [0.4, 0, 0.6], [0.2, 0.8, 0]],
  },
  {
    name: "heat pump",
    states: ["off", "run", "boost"],
    levels: [0, 0.8, 1.6],
    sds: [0.002, 0.03, 0.05],
    durations: [90, 45, 20],
    next: [[0, 0.85, 0.15], [0.7, 0, 0.3], [0.2, 0.8, 0]],
  },
];

/** The meter's own noise, kW (10 W): what the mains adds beyond the appliances' sum. */
export const METER_NOISE = 0.01;

/** The transition matrix of a type: stay with 1 − 1/duration, leave along `next` (normalised). */
export function transitionMatrix(a: ApplianceType): number[][] {
  return a.durations.map((d, i) => {
    const stay = 1 - 1 / d;
    const row = a.next[i]!;
    const rest = row.reduce((s, p, j) => s + (j === i ? 0 : p), 0);
    return row.map((p, j) => (j === i ? stay : ((1 - stay) * p) / rest));
  });
}

/** The stationary distribution of a transition matrix (power iteration: every catalogue chain is ergodic). */
export function stationary(P: readonly (readonly number[])[]): number[] {
  let pi = P.map(() => 1 / P.length);
  for (let it = 0; it < 5000; it++) {
    const next = pi.map((_, j) => pi.reduce((s, p, i) => s + p * P[i]![j]!, 0));
    const delta = next.reduce((s, p, j) => s + Math.abs(p - pi[j]!), 0);
    pi = next;
    if (delta < 1e-13) break;
  }
  return pi;
}

/**
 * The first M appliances: the catalogue in order, then (M > 12) second units
 * of the same types at 85 % of the power ("fridge 2"), so a household of up
 * to 24 appliances has distinct chains.
 */
export function appliances(M: number): ApplianceType[] {
  const n = CATALOGUE.length;
  return Array.from({ length: M }, (_, m) => {
    const base = CATALOGUE[m % n]!;
    const copy = Math.floor(m / n);
    if (copy === 0) return base;
    const f = 0.85 ** copy;
    return { ...base, name: `${base.name} ${copy + 1}`, levels: base.levels.map((l) => l * f) as [number, number, number], sds: base.sds.map((s) => s * f) as [number, number, number] };
  });
}

/**
 * One household's actual appliances: the type's levels scaled by up to ±10 %
 * and its durations by up to ±30 %, drawn from `rng` (a real fridge is not the
 * catalogue's fridge: that is what learning is for).
 */
export function jittered(a: ApplianceType, rng: () => number): ApplianceType {
  const f = 0.9 + 0.2 * rng();
  const d = a.durations.map((x) => Math.max(1.5, x * (0.7 + 0.6 * rng()))) as [number, number, number];
  return { ...a, levels: a.levels.map((l) => l * f) as [number, number, number], sds: a.sds.map((s) => s * f) as [number, number, number], durations: d };
}

/** A type's true HMM: start from the stationary distribution, the transition matrix, the levels and their spreads. */
export function trueParams(a: ApplianceType): ApplianceParams {
  const probsTrans = transitionMatrix(a);
  return { name: a.name, states: [...a.states], probsInit: stationary(probsTrans), probsTrans, locs: [...a.levels], scales: [...a.sds] };
}
