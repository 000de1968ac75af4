/**
 * ppl-hmm fit's job after reading: fitSignal (fit.ts) computes, and this
 * writes params.json, states.csv and the figures.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { lossFigure } from "../figures/loss.js";
import { densityFigure, overviewFigure, segmentationFigure, sequenceFigure } from "../figures/plots.js";
import { writeFigure } from "../figures/render.js";
import type { Progress } from "../progress.js";
import { type CliResult, fitSignal } from "./fit.js";
import type { CliOptions } from "./options.js";
import type { ReadSignal } from "./read.js";
import { statesCsv } from "./states-csv.js";

export type { CliResult, RestartSummary } from "./fit.js";

/** Sequences longer than this are drawn whole only in the overview figure (figures 1 and 4 show their start). */
export const DETAIL_STEPS = 1000;

/**
 * Fits, decodes and writes the outputs. `checked`: the warnings of an
 * earlier checkData of this signal (the CLI checks before it loads the
 * backend); without it the data is checked here.
 */
export async function runFit(sig: ReadSignal, o: CliOptions, say: (s: string) => void, progress?: (restart: number) => Progress, checked?: string[]): Promise<CliResult> {
  const { result, paths, losses } = fitSignal(sig, o, say, progress, checked);
  const K = o.states;
  const params = result.params;
  const files = result.files;
  const tDecode = performance.now();
  files.push(writeStates(sig, paths, o.out));
  if (o.figures) {
    const y = sig.seqs[0]!;
    const zs = Array.from(paths[0]!);
    const head = y.length > DETAIL_STEPS;
    const yd = head ? y.slice(0, DETAIL_STEPS) : y;
    const zd = head ? zs.slice(0, DETAIL_STEPS) : zs;
    const label = `'${sig.labels[0]}'${head ? `, first ${DETAIL_STEPS} of ${y.length} steps` : ""}`;
    files.push(...(await writeFigure(sequenceFigure(yd, zd, K, undefined, `Sequence ${label} and its decoded states`), o.out, "1-sequence")));
    files.push(...(await writeFigure(lossFigure(losses, { title: "Training loss of the chosen restart", x: "SVI step", y: "loss (−log joint)" }), o.out, "2-loss")));
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

/** states.csv in `dir`; returns its path. */
function writeStates(sig: ReadSignal, paths: Int32Array[], dir: string): string {
  const statesPath = join(dir, "states.csv");
  writeFileSync(statesPath, statesCsv(sig, paths));
  return statesPath;
}
