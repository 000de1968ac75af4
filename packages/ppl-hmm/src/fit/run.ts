/**
 * ppl-hmm fit's job after reading: fitSignal (fit.ts) computes, and this
 * writes params.json, states.csv and the figures.
 */
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { lossFigure } from "../figures/loss.js";
import { densityFigure, overviewFigure, segmentationFigure, sequenceFigure } from "../figures/plots.js";
import { writeFigure } from "../figures/render.js";
import type { Progress } from "../progress.js";
import { type CliResult, fitSignal } from "./fit.js";
import type { CliOptions } from "./options.js";
import type { ReadSignal } from "./read.js";
import { statesCsvBlocks } from "./states-csv.js";
import type { SviRunner } from "./svi-runner.js";

export type { CliResult, RestartSummary } from "./fit.js";

/** Sequences longer than this are drawn whole only in the overview figure (figures 1 and 4 show their start). */
export const DETAIL_STEPS = 1000;

/**
 * Fits, decodes and writes the outputs into `writeDir` (the command line's
 * temporary folder; default --out), reporting them at their place in --out.
 * `checked`: the warnings of an earlier checkData of this signal (the CLI
 * checks before it loads the backend); without it the data is checked here.
 */
export async function runFit(
  sig: ReadSignal,
  o: CliOptions,
  say: (s: string) => void,
  progress?: (restart: number) => Progress,
  checked?: string[],
  writeDir = o.out,
  svi?: SviRunner,
): Promise<CliResult> {
  const { result, paths, losses } = fitSignal(sig, o, say, progress, checked, svi);
  const K = o.states;
  const params = result.params;
  const files = result.files;
  const tDecode = performance.now();
  const placed = (written: string[]) => written.map((f) => join(o.out, basename(f)));
  files.push(...placed([writeStates(sig, paths, writeDir)]));
  if (o.figures) {
    const y = sig.seqs[0]!;
    const zs = Array.from(paths[0]!);
    const head = y.length > DETAIL_STEPS;
    const yd = head ? y.slice(0, DETAIL_STEPS) : y;
    const zd = head ? zs.slice(0, DETAIL_STEPS) : zs;
    const label = `'${sig.labels[0]}'${head ? `, first ${DETAIL_STEPS} of ${y.length} steps` : ""}`;
    files.push(...placed(await writeFigure(sequenceFigure(yd, zd, K, undefined, `Sequence ${label} and its decoded states`), writeDir, "1-sequence")));
    files.push(...placed(await writeFigure(lossFigure(losses, o.method === "em" ? { title: "Baum–Welch: −log joint of the chosen restart per iteration", x: "iteration", y: "−log joint" } : { title: "Training loss of the chosen restart", x: "SVI step", y: "loss (−log joint)" }), writeDir, "2-loss")));
    files.push(...placed(await writeFigure(densityFigure(params, undefined), writeDir, "3-emissions")));
    files.push(...placed(await writeFigure(segmentationFigure(yd, zd, undefined, K), writeDir, "4-segmentation")));
    const longest = sig.seqs.reduce((a, s, i) => (s.length > sig.seqs[a]!.length ? i : a), 0);
    if (sig.seqs[longest]!.length > DETAIL_STEPS) {
      files.push(...placed(await writeFigure(overviewFigure(sig.seqs[longest]!, Array.from(paths[longest]!), K, `'${sig.labels[longest]}'`), writeDir, "5-overview")));
    }
    result.seconds.figures = (performance.now() - tDecode) / 1000;
  }
  files.unshift(join(o.out, "params.json"));
  result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  writeFileSync(join(writeDir, "params.json"), JSON.stringify(result, null, 2) + "\n");
  return result;
}

/** states.csv in `dir`, block by block; returns its path. */
function writeStates(sig: ReadSignal, paths: Int32Array[], dir: string): string {
  const statesPath = join(dir, "states.csv");
  const fd = openSync(statesPath, "w");
  try {
    for (const block of statesCsvBlocks(sig, paths)) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return statesPath;
}
