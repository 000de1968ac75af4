/**
 * What the page's worker does, on ppl-hmm fit's own functions (ppl-hmm/fit):
 * "read" parses the file's text as the command line parses a file, and
 * "fit" fits and decodes with the command line's defaults (K, restarts and
 * seed from the page), returning params.json's and states.csv's text too.
 */
import { type CliResult, type PlainParams, checkData, defaultOptions, describeRead, fitSignal, parseSignal, statesCsv } from "ppl-hmm/fit";
import type { WorkerContext } from "ppl-core";

/** A job for the worker: read a file's text, or read and fit it. */
export type PageJob =
  | { readonly kind: "read"; readonly text: string; readonly name: string }
  | { readonly kind: "fit"; readonly text: string; readonly name: string; readonly states: number; readonly restarts: number; readonly seed: number };

/** What "read" returns: the command line's "read" line, the labels, and the first sequence to draw. */
export interface PageRead {
  readonly summary: string;
  readonly labels: string[];
  readonly first: number[];
}

/** One SVI step of one restart. */
export interface PageProgress {
  readonly step: number;
  readonly loss: number;
  readonly restart: number;
  readonly maxSteps: number;
}

/** What "fit" returns: the signal, its decoded states, the learnt parameters and the two files' text. */
export interface PageFitResult {
  readonly labels: string[];
  readonly seqs: number[][];
  readonly paths: number[][];
  readonly params: PlainParams;
  readonly logLikelihood: number;
  readonly chosenRestart: number;
  readonly warnings: string[];
  /** The lines `ppl-hmm fit` prints. */
  readonly log: string[];
  readonly paramsJson: string;
  readonly statesCsv: string;
}

/** The worker's task: one job, plain data in and out. */
export function pageJob(job: PageJob, ctx: WorkerContext<PageProgress>): PageRead | PageFitResult {
  const defaults = defaultOptions("(the page)");
  const sig = parseSignal(job.name, job.text, { header: defaults.header, missing: defaults.missing });
  if (job.kind === "read") return { summary: describeRead(job.name, sig), labels: sig.labels, first: sig.seqs[0]! };
  const options = { ...defaults, states: job.states, restarts: job.restarts, seed: job.seed, figures: false, json: true };
  const log: string[] = [describeRead(job.name, sig)];
  const warnings = checkData(job.name, sig.seqs, sig.labels, options.states);
  log.push(...warnings.map((w) => `warning: ${w}`));
  const fit = fitSignal(sig, options, (line) => log.push(line), () => ({
    update: (restart, step, loss) => ctx.progress({ restart, step, loss, maxSteps: options.maxSteps }),
    done: () => undefined,
  }), warnings);
  const result: CliResult = { ...fit.result, files: ["params.json", "states.csv"] };
  return {
    labels: sig.labels,
    seqs: sig.seqs,
    paths: fit.paths.map((p) => Array.from(p)),
    params: result.params,
    logLikelihood: result.logLikelihood,
    chosenRestart: result.chosenRestart,
    warnings: result.warnings,
    log,
    paramsJson: JSON.stringify(result, null, 2) + "\n",
    statesCsv: statesCsv(sig, fit.paths),
  };
}
