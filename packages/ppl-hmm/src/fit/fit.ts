/**
 * ppl-hmm fit's computation, with no file or process in it (the command
 * line writes the result, the page shows it): check the data, standardise,
 * fit every restart from its data-driven start, choose the best converged-or-
 * not but never diverged one, map it back to the data's units, score it
 * exactly and decode every sequence.
 */
import { DataError } from "../errors.js";
import { type PlainParams, sortByLocs } from "../params.js";
import type { Progress } from "../progress.js";
import { type Clusters, type InitReport, clustersFor, initFromClusters, sameClusters } from "./init.js";
import { type MapPrior, mapEm } from "./map-em.js";
import type { CliOptions } from "./option-table.js";
import { checkData, insideSimplex, locsPrior, pooledScale, standardise, toDataUnits } from "./prep.js";
import type { ReadSignal } from "./read.js";
import { logLikelihood, viterbiPath } from "./score.js";
import type { RestartRun, SviRunner } from "./svi-runner.js";

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
  method: CliOptions["method"];
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
export function fitSignal(sig: ReadSignal, o: CliOptions, say: (s: string) => void, progress?: (restart: number) => Progress, checked?: string[], svi?: SviRunner): SignalFit {
  if (o.method === "svi" && svi === undefined) throw new Error("fitSignal: --method svi needs the SVI runner (fit/svi-runner.ts)");
  const K = o.states;
  const warnings = checked ?? checkData("the data", sig.seqs, sig.labels, K);
  if (checked === undefined) for (const w of warnings) say(`warning: ${w}`);
  const t0 = performance.now();
  const scale = pooledScale(sig.seqs);
  const floor = o.minScale;
  const z = standardise(sig.seqs, scale);
  const lp = locsPrior(z);
  const prior: MapPrior = { m0: lp.loc, s0: lp.scale, floor };
  const data = svi?.toCliData(z, floor);
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
      const bar = progress?.(r);
      let run: RestartRun;
      let initReport: InitReport;
      if (o.method === "em") {
        initReport = { method: clusters.method, params: sortedInit(start, scale, floor) };
        const t = performance.now();
        const em = mapEm(z, start, prior, { maxIter: o.maxSteps, onIteration: bar ? (i, lj) => bar.update(r, i, -lj) : undefined });
        run = {
          restart: r, params: em.params, bestLoss: -em.logJoint, bestStep: em.iterations - 1, steps: em.iterations, converged: em.converged,
          losses: em.trace.map((j) => -j), seconds: (performance.now() - t) / 1000,
        };
      } else {
        const warm = o.em > 0 ? insideSimplex(mapEm(z, start, prior, { maxIter: o.em }).params) : start;
        initReport = { method: `${clusters.method}${o.em > 0 ? ` + ${o.em} Baum–Welch iterations` : ""}`, params: sortedInit(warm, scale, floor) };
        run = svi!.learnRestart(data!, warm, r, o.seed, settings, bar ? (s, l) => bar.update(r, s, l) : undefined);
        if (run.converged) {
          // converged means converged, whatever the learning rate: a closing Baum–Welch pass from the result must not move it
          const close = mapEm(z, run.params, prior, { maxIter: 1 });
          const rise = close.trace[1]! - close.trace[0]!;
          if (rise > 1e-7 * Math.abs(close.trace[0]!)) {
            run = { ...run, converged: false, notConvergedWhy: `a closing Baum–Welch pass from the SVI result still raises the log joint by ${rise.toPrecision(3)}` };
          }
        }
      }
      bar?.done();
      runs.push(run);
      const summary: RestartSummary = {
        restart: r, init: initReport, steps: run.steps, converged: run.converged, bestLoss: run.bestLoss, bestStep: run.bestStep,
        ...(run.diverged ? { diverged: run.diverged } : {}), seconds: run.seconds,
      };
      summaries.push(summary);
      const state = run.diverged ? `diverged: ${run.diverged}` : run.converged ? "converged" : `NOT converged (${run.notConvergedWhy ?? `--steps ${o.maxSteps} reached`})`;
      say(`restart ${r + 1}/${o.restarts} (${initReport.method}): ${run.steps} ${o.method === "em" ? "iterations" : "steps"}, best loss ${run.bestLoss.toFixed(3)} at step ${run.bestStep + 1}, ${state} (${run.seconds.toFixed(1)} s)`);
    }
  } finally {
    if (data !== undefined) svi!.disposeData(data);
  }
  const usable = runs.filter((r): r is RestartRun => r !== undefined && r.diverged === undefined);
  if (usable.length === 0) {
    const why = runs.find((r) => r?.diverged)?.diverged ?? "no restart finished";
    throw new DataError(`the fit diverged in every restart (${why}); lower --lr (now ${o.lr}, default 0.05)`);
  }
  const best = usable.reduce((a, b) => (b.bestLoss < a.bestLoss ? b : a));
  if (!best.converged) {
    const w = o.method === "em"
      ? `the chosen restart ${best.restart + 1} stopped at --steps ${o.maxSteps} Baum–Welch iterations before converging; the result may be short of the optimum: raise --steps`
      : `the chosen restart ${best.restart + 1} did not converge (${best.notConvergedWhy ?? `stopped at --steps ${o.maxSteps}, best loss still improving by more than --tol ${o.tol} × |loss| over ${o.window} steps`}); the result may be short of the optimum: raise --steps, or use --method em`;
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
    method: o.method,
    form: o.form,
    backend: o.method === "em" ? "float64 JavaScript (Baum–Welch: no tfjs)" : svi!.backend(),
    seconds: { fit: (tFit - t0) / 1000, decode: (tDecode - tFit) / 1000, figures: 0 },
    peakRssMiB: 0,
    files: [],
  };
  return { result, paths, losses: best.losses };
}
