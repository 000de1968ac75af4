/**
 * The SVI fit (--method svi) as one object the fit takes when asked for it:
 * the ppl model, tfjs and the optimiser load only for this method (the
 * default Baum–Welch fit runs without them).
 */
import { backendInfo } from "ppl-core";
import { disposeData, toCliData } from "./model.js";
import { learnRestart } from "./svi.js";

export type { LearnSettings, RestartRun } from "./svi.js";

/** What fit.ts needs of the SVI path. */
export interface SviRunner {
  toCliData: typeof toCliData;
  disposeData: typeof disposeData;
  learnRestart: typeof learnRestart;
  backend(): string;
}

/** The SVI path. */
export const sviRunner: SviRunner = { toCliData, disposeData, learnRestart, backend: () => backendInfo().name };
