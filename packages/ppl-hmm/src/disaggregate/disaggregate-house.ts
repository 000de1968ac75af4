/**
 * The house pipeline, without files: choose the rest's states and the meter
 * weight on the held-out end of the training rows (select-model.ts), learn
 * the factorial model from all the training rows, disaggregate the test
 * rows' mains (each chain's most probable state at every minute by ppl-core's
 * factorial kernel, or a beam search then iterated conditional modes, linear
 * in the number of chains), and score it when the test rows have their
 * sub-meters.
 */
import type { HouseData } from "./house-csv.js";
import type { HouseMetrics } from "./house-metrics.js";
import { type HouseModel, chainsOf, learnAppliances, learnRest, restOf } from "./learn-house.js";
import { type Selection, type SelectOptions, decode, defaultThreshold, scoreRows, selectModel } from "./select-model.js";

/** What the command decides besides the data. */
export interface HouseOptions extends SelectOptions {
  readonly names: readonly string[];
}

/** The pipeline's result. */
export interface HouseRun {
  readonly model: HouseModel;
  readonly selection: Selection;
  /** Per appliance, the decoded state on every test row, and its level (W). */
  readonly states: number[][];
  readonly estimate: Float64Array[];
  /** Per appliance, its on threshold (W): given, or 10 % of its highest learned level, at least 10 W. */
  readonly thresholds: number[];
  readonly metrics?: HouseMetrics;
  readonly timings: { readonly selectSeconds: number; readonly learnSeconds: number; readonly disaggregateSeconds: number };
}

/** Choose, learn, decode, score. */
export function disaggregateHouse(data: HouseData, o: HouseOptions): HouseRun {
  const t0 = performance.now();
  const selection = selectModel(data.mains, data.appliances, o.names, data.split, data.stepSeconds, o);
  const t1 = performance.now();
  const model: HouseModel = {
    names: o.names,
    appliances: learnAppliances(data.appliances, o.names, data.split, o),
    residual: learnRest(restOf(data.mains, data.appliances, data.split), selection.residualStates),
    meterWeight: selection.meterWeight,
  };
  const t2 = performance.now();
  const chains = chainsOf(model);
  const states = decode(data.mains.subarray(data.split), chains, model.meterWeight, o.inference).slice(0, o.names.length);
  const t3 = performance.now();
  const estimate = states.map((z, m) => Float64Array.from(z, (k) => model.appliances[m]!.locs[k]!));
  const thresholds = o.names.map((n, m) => o.onThresholds[n] ?? defaultThreshold(model.appliances[m]!.locs));
  const metrics = data.testHasTruth
    ? scoreRows(o.names, chains, states, data.appliances, data.split, data.mains.length, o.onThresholds, data.stepSeconds)
    : undefined;
  return {
    model, selection, states, estimate, thresholds, ...(metrics === undefined ? {} : { metrics }),
    timings: { selectSeconds: (t1 - t0) / 1000, learnSeconds: (t2 - t1) / 1000, disaggregateSeconds: (t3 - t2) / 1000 },
  };
}
