/**
 * The house pipeline, without files: learn the factorial model from the
 * training rows, disaggregate the test rows' mains (exact MAP over the
 * product state by ppl-core's factorial kernel, or iterated conditional
 * modes, linear in the number of chains), and score it when the test rows have
 * their sub-meters.
 */
import { factorialMap, icmMap } from "./factorial.js";
import type { HouseData } from "./house-csv.js";
import { type HouseMetrics, scoreHouse } from "./house-metrics.js";
import { type HouseModel, type StateOptions, chainsOf, learnHouse } from "./learn-house.js";

/** What the command decides besides the data. */
export interface HouseOptions extends StateOptions {
  readonly names: readonly string[];
  /** Per appliance name, its on threshold in W (others: 10 % of its highest learned level, at least 10 W). */
  readonly onThresholds: Readonly<Record<string, number>>;
  readonly inference: "exact" | "approx";
}

/** The pipeline's result. */
export interface HouseRun {
  readonly model: HouseModel;
  /** Per appliance, the decoded state and its level (W) on every test row. */
  readonly states: number[][];
  readonly estimate: Float64Array[];
  readonly thresholds: number[];
  readonly metrics?: HouseMetrics;
  readonly timings: { readonly learnSeconds: number; readonly disaggregateSeconds: number };
}

/** The default on threshold of a learned appliance: 10 % of its highest level, at least 10 W. */
export const defaultThreshold = (locs: readonly number[]): number => Math.max(10, 0.1 * Math.max(...locs));

/** Learn, decode, score. */
export function disaggregateHouse(data: HouseData, o: HouseOptions): HouseRun {
  const t0 = performance.now();
  const model = learnHouse(data.mains, data.appliances, o.names, data.split, o);
  const t1 = performance.now();
  const mains = data.mains.subarray(data.split);
  const chains = chainsOf(model);
  let all: number[][];
  if (o.inference === "exact") {
    all = factorialMap(mains, chains);
  } else {
    all = icmMap(mains, chains);
  }
  const t2 = performance.now();
  const states = all.slice(0, o.names.length);
  const estimate = states.map((z, m) => Float64Array.from(z, (k) => model.appliances[m]!.locs[k]!));
  const thresholds = o.names.map((n, m) => o.onThresholds[n] ?? defaultThreshold(model.appliances[m]!.locs));
  const metrics = data.testHasTruth
    ? scoreHouse(o.names, estimate, data.appliances.map((a) => a.subarray(data.split)), thresholds, data.stepSeconds)
    : undefined;
  return {
    model, states, estimate, thresholds, ...(metrics === undefined ? {} : { metrics }),
    timings: { learnSeconds: (t1 - t0) / 1000, disaggregateSeconds: (t2 - t1) / 1000 },
  };
}
