/** Training progress over restarts: ppl-hmm's (ppl-core's ProgressBar, one bar per restart), for the examples too. */
export { type Progress, makeProgress } from "ppl-hmm";
