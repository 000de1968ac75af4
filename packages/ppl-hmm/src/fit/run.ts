/**
 * ppl-hmm's job after reading: check the data, standardise, fit every
 * restart from its data-driven start, choose the best converged-or-not but
 * never diverged one, map it back to the data's units, score it exactly,
 * decode every sequence and write params.json, states.csv and the figures.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { backendInfo } from "ppl-core";
import { DataError } from "../errors.js";
import { lossFigure } from "../figures/loss.js";
import { densityFigure, overviewFigure, segmentationFigure, sequenceFigure } from "../figures/plots.js";
import { writeFigure } from "../figures/render.js";
import { type PlainParams, sortByLocs } from "../params.js";
import type { Progress } from "../progress.js";
import { emWarmStart } from "./em.js";
import { type Clusters, type InitReport, clustersFor, initFromClusters, sameClusters } from "./init.js";
import { disposeData, toCliData } from "./model.js";
import type { CliOptions } from "./options.js";
import { checkData, pooledScale, standardise, toDataUnits } from "./prep.js";
import type { ReadSignal } from "./read.js";
import { logLikelihood, viterbiPath } from "./score.js";
import { type RestartRun, learnRestart } from "./svi.js";

/** Sequences longer than this are drawn whole only in the overview figure (figures 1 and 4 show their start). */
export const DETAIL_STEPS = 1000;

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

/**
 * Fits, decodes and writes the outputs. `checked`: the warnings of an
 * earlier checkData of this signal (the CLI checks before it loads the
 * backend); without it the data is checked here.
 */
export async function runFit(sig: ReadSignal, o: CliOptions, say: (s: string) => void, progress?: (restart: number) => Progress, checked?: string[]): Promise<CliResult> {
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
  const files: string[] = [];
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
    files,
  };
  files.push(writeStates(sig, paths, o.out));
  if (o.figures) {
    const y = sig.seqs[0]!;
    const zs = Array.from(paths[0]!);
    const head = y.length > DETAIL_STEPS;
    const yd = head ? y.slice(0, DETAIL_STEPS) : y;
    const zd = head ? zs.slice(0, DETAIL_STEPS) : zs;
    const label = `'${sig.labels[0]}'${head ? `, first ${DETAIL_STEPS} of ${y.length} steps` : ""}`;
    files.push(...(await writeFigure(sequenceFigure(yd, zd, K, undefined, `Sequence ${label} and its decoded states`), o.out, "1-sequence")));
    files.push(...(await writeFigure(lossFigure(best.losses, { title: "Training loss of the chosen restart", x: "SVI step", y: "loss (−log joint)" }), o.out, "2-loss")));
    files.push(...(await writeFigure(densityFigure(params, undefined), o.out, "3-emissions")));
    files.push(...(await writeFigure(segmentationFigure(yd, zd, undefined, K), o.out, "4-segmentation")));
    const longest = sig.seqs.reduce((a, s, i) => (s.length > sig.seqs[a]!.length ? i : a), 0);
    if (sig.seqs[longest]!.length > DETAIL_STEPS) {
      files.push(...(await writeFigure(overviewFigure(sig.seqs[longest]!, Array.from(paths[longest]!), K, `'${sig.labels[longest]}'`), o.out, "5-overview")));
    }
    result.seconds.figures = (performance.now() - tDecode) / 1000;
  }
  const paramsPath = join(o.out, "params.json");
  files.unshift(paramsPath);
  result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  writeFileSync(paramsPath, JSON.stringify(result, null, 2) + "\n");
  return result;
}

/** states.csv: one row per value, `sequence,t,value,state` (t counts the values kept, from 0). */
function writeStates(sig: ReadSignal, paths: Int32Array[], dir: string): string {
  const statesPath = join(dir, "states.csv");
  const lines = ["sequence,t,value,state"];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  sig.seqs.forEach((y, s) => {
    const label = quote(sig.labels[s]!);
    paths[s]!.forEach((z, t) => lines.push(`${label},${t},${y[t]},${z}`));
  });
  writeFileSync(statesPath, lines.join("\n") + "\n");
  return statesPath;
}
