/**
 * One household, end to end: generate the day, learn (supervised or
 * unsupervised), disaggregate the mains (exact or approximate MAP), score
 * against the sub-meters. What main.ts prints and --json emits.
 */
import { checkExactStates } from "ppl-hmm";
import { approxMap } from "./approx.js";
import { type ApplianceType, appliances } from "./catalogue.js";
import { type Household, generate, householdParams } from "./data.js";
import { exactMap } from "./exact.js";
import { type Learned, learnSupervised, learnUnsupervised } from "./learn.js";
import { energyError, energyKwh, estimatedPower, onOffF1, stateAccuracy, teca } from "./metrics.js";
import { cataloguePrior } from "./model.js";
import type { NilmOptions } from "./options.js";

/** Per-appliance scores. */
export interface ApplianceReport {
  readonly name: string;
  /** The appliance's state names (state 0 is off). */
  readonly states: readonly string[];
  readonly stateAccuracy: number;
  readonly f1: number;
  /** |Ê − E| / E (E at least 0.01 kWh). */
  readonly energyError: number;
  readonly energyKwh: { readonly true: number; readonly estimated: number };
  /** The learned levels, W. */
  readonly levelsW: readonly number[];
}

/** The result of one run (the --json object). */
export interface NilmResult {
  readonly appliances: ApplianceReport[];
  readonly teca: number;
  readonly inference: NilmOptions["inference"];
  readonly workflow: NilmOptions["workflow"];
  readonly minutes: number;
  readonly seed: number;
  readonly timings: { readonly learnSeconds: number; readonly disaggregateSeconds: number };
}

/** Everything a run produced, for the figures. */
export interface NilmRun {
  readonly result: NilmResult;
  readonly types: ApplianceType[];
  readonly day: Household;
  readonly learned: Learned;
  readonly decoded: number[][];
  readonly estimate: number[][];
}

/**
 * Run the whole pipeline with these options (figures and printing are main's).
 *
 * @example
 * const { result } = runHousehold({ ...parseOptions([]), figures: false });
 * result.teca; // ≈ 0.97 at the defaults
 */
export function runHousehold(o: Pick<NilmOptions, "appliances" | "minutes" | "workflow" | "inference" | "seed" | "steps" | "lr"> & { beamWidth?: number }): NilmRun {
  const types = appliances(o.appliances);
  // before learning: exact decoding refuses too many joint states
  if (o.inference === "exact") checkExactStates(types.map((a) => a.levels.length));
  const truth = householdParams(types, o.seed);
  const day = generate(truth, o.minutes, o.seed);
  const prior = cataloguePrior(types);
  const svi = { steps: o.steps, lr: o.lr, seed: o.seed };
  const learned = o.workflow === "supervised" ? learnSupervised(day.power, day.mains, prior, svi) : learnUnsupervised(day.mains, prior, svi);
  const t0 = performance.now();
  const probsInit = prior.appliances.map((a) => a.probsInit);
  const decoded = o.inference === "exact" ? exactMap(day.mains, probsInit, learned.globals) : approxMap(day.mains, probsInit, learned.globals, o.beamWidth === undefined ? {} : { beamWidth: o.beamWidth }).states;
  const disaggregateSeconds = (performance.now() - t0) / 1000;
  const estimate = estimatedPower(decoded, learned.globals.locs);
  const reports = types.map((a, m) => ({
    name: a.name,
    states: [...a.states],
    stateAccuracy: stateAccuracy(decoded[m]!, day.states[m]!),
    f1: onOffF1(decoded[m]!, day.states[m]!),
    energyError: energyError(estimate[m]!, day.power[m]!),
    energyKwh: { true: energyKwh(day.power[m]!), estimated: energyKwh(estimate[m]!) },
    levelsW: learned.globals.locs[m]!.map((l) => Math.round(l * 1000)),
  }));
  const result: NilmResult = {
    appliances: reports,
    teca: teca(estimate, day.power),
    inference: o.inference,
    workflow: o.workflow,
    minutes: o.minutes,
    seed: o.seed,
    timings: { learnSeconds: learned.seconds, disaggregateSeconds },
  };
  return { result, types, day, learned, decoded, estimate };
}
