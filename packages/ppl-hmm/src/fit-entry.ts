/**
 * ppl-hmm fit as functions, for programs that read their data themselves
 * (the web page in examples/web runs these in a Web Worker): parse a file's
 * text, check it, fit and decode, and write states.csv's text. No Node module
 * is imported on this path, so it bundles for the browser.
 */
export { DataError } from "./errors.js";
export { type CliOptions, defaultOptions } from "./fit/option-table.js";
export { type CliResult, type RestartSummary, type SignalFit, fitSignal } from "./fit/fit.js";
export { checkData } from "./fit/prep.js";
export { type HeaderMode, type MissingMode, type ReadOptions, type ReadSignal, describeRead, parseSignal } from "./fit/read.js";
export { statesCsv } from "./fit/states-csv.js";
export type { Progress } from "./progress.js";
export type { PlainParams } from "./params.js";
