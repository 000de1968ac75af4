/**
 * ppl-hmm fit's computation, with no file or process in it (the command
 * line writes the result, the page shows it): check the data, standardise,
 * fit every restart from its data-driven start, choose the best converged-or-
 * not but never diverged one, map it back to the data's units, score it
 * exactly and decode every sequence.
 */
import { backendInfo } from "ppl-core";
import { DataError } from "../errors.js";
import { type PlainParams, sortByLocs } from "../params.js";
import type { Progress } from "../progress.js";
import { emWarmStart } from "./em.js";
import { type Clusters, type InitReport, clustersFor, initFromClusters, sameClusters } from "./init.js";
import { disposeData, toCliData } from "./model.js";
import type { CliOptions } from "./option-table.js";
import { checkData, pooledScale, standardise, toDataUnits } from "./prep.js";
import type { ReadSignal } from "./read.js";
import { logLikelihood, viterbiPath } from "./score.js";
import { type RestartRun, learnRestart } from "./svi.js";

/** One restart as params.json reports it. */
export interface RestartSummary {
  restart: number;
  init: InitReport;
  /** An earlier restart with the same start (not run again: the fit is deterministic). */
  sameStartAs?: number;
  steps: number;
  converged: boolean;
  bestLoss: number;
  bestStep: number;
  diverged?: string;
  seconds: number;
}

/** What `--json` prints and params.json holds (see the README's "params.json"). */
export interface CliResult {
  format: "ppl-hmm/params@1";
  states: number;
  /** In the data's units, states sorted by mean; `scales` are each state's emission sd. */
  params: PlainParams;
  logLikelihood: number;
  numValues: number;
  standardisation: { mean: number; sd: number };
  /** The model's own values, standardised units: the `scales` site and the sd floor (emission sd = √(scale² + floor²)). */
  site: { locs: number[]; scales: number[]; sdFloor: number };
  loss: number;
  chosenRestart: number;
  restarts: RestartSummary[];
  warnings: string[];
  form: CliOptions["form"];
  backend: string;
  seconds: { fit: number; decode: number; figures: number };
  /** The process's peak resident memory so far, MiB (when the result was written). */
  peakRssMiB: number;
  files: string[];
}

function sortedInit(p: PlainParams, scale: { mean: number; sd: number }, floor: number): PlainParams {
  return toDataUnits(sortByLocs(p), scale, floor);
}

/** What `fitSignal` found: the result params.json holds (no files yet), each sequence's decoded states and the chosen restart's losses. */
export interface SignalFit {
  result: CliResult;
  paths: Int32Array[];
  losses: number[];
}

/**
 * Fits and decodes `sig` with options `o`. `say` gets the lines the command
 * prints; `progress` a reporter per restart; `checked`: the warnings of an
 * earlier checkData of this signal (without it the data is checked here).
 */
export function fitSignal(sig: ReadSignal, o: CliOptions, say: (s: string) => void, progress?: (restart: number) => Progress, checked?: string[]): SignalFit {
  const K = o.states;
  const warnings = checked ?? checkData("the data", sig.seqs, sig.labels, K);
  if (checked === undefined) for (const w of warnings) say(`warning: ${w}`);
  const t0 = performance.now();
  const scale = pooledScale(sig.seqs);
  const floor = o.minScale;
  const z = standardise(sig.seqs, scale);
  const data = toCliData(z, floor);
  const settings = { K, form: o.form, lr: o.lr, tol: o.tol, window: o.window, maxSteps: o.maxSteps, divergeRatio: 1 };
  const runs: (RestartRun | undefined)[] = [];
  const summaries: RestartSummary[] = [];
  const starts: Clusters[] = [];
  try {
    for (let r = 0; r < o.restarts; r++) {
      const clusters = clustersFor(z, K, r, o.seed);
      const twin = starts.findIndex((c) => sameClusters(c, clusters));
      starts.push(clusters);
      if (twin >= 0) {
        const t = summaries[twin]!;
        summaries.push({ ...t, restart: r, sameStartAs: twin, seconds: 0 });
        runs.push(undefined);
        say(`restart ${r + 1}/${o.restarts}: same k-means clusters as restart ${twin + 1}, not run again`);
        continue;
      }
      const start = initFromClusters(z, clusters, floor);
      const init = { params: o.em > 0 ? emWarmStart(z, start, floor, o.em) : start };
      const initReport: InitReport = { method: `${clusters.method}${o.em > 0 ? ` + ${o.em} Baum–Welch iterations` : ""}`, params: sortedInit(init.params, scale, floor) };
      const bar = progress?.(r);
      const run = learnRestart(data, init.params, r, o.seed, settings, bar ? (s, l) => bar.update(r, s, l) : undefined);
      bar?.done();
      runs.push(run);
      const summary: RestartSummary = {
        restart: r, init: initReport, steps: run.steps, converged: run.converged, bestLoss: run.bestLoss, bestStep: run.bestStep,
        ...(run.diverged ? { diverged: run.diverged } : {}), seconds: run.seconds,
      };
      summaries.push(summary);
      const state = run.diverged ? `diverged: ${run.diverged}` : run.converged ? "converged" : `NOT converged after --steps ${o.maxSteps}`;
      say(`restart ${r + 1}/${o.restarts} (${initReport.method}): ${run.steps} steps, best loss ${run.bestLoss.toFixed(3)} at step ${run.bestStep + 1}, ${state} (${run.seconds.toFixed(1)} s)`);
    }
  } finally {
    disposeData(data);
  }
  const usable = runs.filter((r): r is RestartRun => r !== undefined && r.diverged === undefined);
  if (usable.length === 0) {
    const why = runs.find((r) => r?.diverged)?.diverged ?? "no restart finished";
    throw new DataError(`the fit diverged in every restart (${why}); lower --lr (now ${o.lr}, default 0.05)`);
  }
  const best = usable.reduce((a, b) => (b.bestLoss < a.bestLoss ? b : a));
  if (!best.converged) {
    const w = `the chosen restart ${best.restart + 1} stopped at --steps ${o.maxSteps} before converging (best loss still improving by more than --tol ${o.tol} × |loss| over ${o.window} steps); the result may be short of the optimum: raise --steps or --lr`;
    warnings.push(w);
    say(`warning: ${w}`);
  }
  const sortedSite = sortByLocs(best.params);
  const params = toDataUnits(sortedSite, scale, floor);
  const tFit = performance.now();
  const ll = logLikelihood(sig.seqs, params);
  const paths = sig.seqs.map((y) => viterbiPath(y, params));
  const tDecode = performance.now();
  const result: CliResult = {
    format: "ppl-hmm/params@1",
    states: K,
    params,
    logLikelihood: ll,
    numValues: sig.seqs.reduce((a, y) => a + y.length, 0),
    standardisation: scale,
    site: { locs: sortedSite.locs, scales: sortedSite.scales, sdFloor: floor },
    loss: best.bestLoss,
    chosenRestart: best.restart,
    restarts: summaries,
    warnings,
    form: o.form,
    backend: backendInfo().name,
    seconds: { fit: (tFit - t0) / 1000, decode: (tDecode - tFit) / 1000, figures: 0 },
    peakRssMiB: 0,
    files: [],
  };
  return { result, paths, losses: best.losses };
}
