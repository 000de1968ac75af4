/**
 * ppl-hmm's optimiser loop: MAP of the four globals by SVI (AutoDelta, Adam)
 * from data-driven starting points, several restarts, each run until its
 * best loss stops improving. Every restart keeps its best iterate (Adam on
 * a full-batch loss overshoots now and then); a restart whose loss becomes
 * non-finite or jumps far above its best has diverged and is never chosen.
 * The loss is the compiled ELBO (docs/compiled.md): AutoDelta draws nothing
 * and the models read no param in JS, so each step after the first replays.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Adam, type CompiledLossStats, JitTraceELBO, type Model, PPLError, PPLNumericalError, SVI, block, clearParamStore, getParamStore, setRngSeed } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { JitTraceEnumELBO } from "ppl-enum";
import type { PlainParams } from "../params.js";
import { type CliData, GLOBAL_SITES, discreteHmmModel, markovModel, takeParams } from "./model.js";

/** How the hidden states are summed out (both exact; discrete-hmm is much faster). */
export type CliForm = "discrete-hmm" | "markov";

/** One restart's optimiser settings (from the command line). */
export interface LearnSettings {
  K: number;
  form: CliForm;
  lr: number;
  /**
   * A plateau: the best loss improved by less than tol × max(1, |best|) over
   * the last `window` steps. At a plateau the run goes back to its best
   * iterate and divides the learning rate by 4 (Adam at a fixed rate
   * oscillates around the optimum instead of reaching it); a plateau at
   * lr / 4^lrDecays is convergence.
   */
  tol: number;
  window: number;
  maxSteps: number;
  /** A loss above best + divergeRatio × max(1, |best|) is a divergence. */
  divergeRatio: number;
  /** How many times a plateau lowers the learning rate before it counts as convergence (default 2). */
  lrDecays?: number;
}

/** One restart's outcome. */
export interface RestartRun {
  restart: number;
  /** The best iterate, standardised units. */
  params: PlainParams;
  /** Loss (−log joint, standardised units) at the best iterate. */
  bestLoss: number;
  bestStep: number;
  steps: number;
  converged: boolean;
  /** Why a run that stopped is not converged, when it is not --steps. */
  notConvergedWhy?: string;
  /** Why the run is not a result, in the user's terms. */
  diverged?: string;
  losses: number[];
  seconds: number;
  /** SVI's runs: how many of the compiled loss's calls recorded, replayed, or ran interpreted (an EM run has none). */
  compileStats?: CompiledLossStats;
}

function modelAndLoss(form: CliForm): { model: Model<[CliData, number]>; loss: JitTraceELBO | JitTraceEnumELBO } {
  return form === "markov"
    ? { model: markovModel, loss: new JitTraceEnumELBO({ maxPlateNesting: 1 }) }
    : { model: discreteHmmModel, loss: new JitTraceELBO() };
}

function initValues(p: PlainParams): Record<string, tf.Tensor> {
  return { probs_init: tf.tensor1d(p.probsInit), probs_trans: tf.tensor2d(p.probsTrans), locs: tf.tensor1d(p.locs), scales: tf.tensor1d(p.scales) };
}

/** One restart from `init` (standardised units). `onStep(step, loss)` after every step. */
export function learnRestart(
  data: CliData,
  init: PlainParams,
  restart: number,
  seed: number,
  s: LearnSettings,
  onStep?: (step: number, loss: number) => void,
): RestartRun {
  clearParamStore();
  setRngSeed(seed + restart);
  const t0 = performance.now();
  const { model, loss } = modelAndLoss(s.form);
  const values = initValues(init);
  const guide = new AutoDelta(block(model, { expose: [...GLOBAL_SITES] }), { initLocFn: initToValue({ values }) });
  let svi = new SVI(model, guide, new Adam({ lr: s.lr }), loss);
  let decays = 0;
  let plateauFrom = 0;
  // creates the params, so that the iterate before each step can be kept
  svi.evaluateLoss(data, s.K);
  tf.dispose(Object.values(values));
  const vars = getParamStore().variables();
  let best: Map<string, tf.Tensor> | undefined;
  let bestLoss = Infinity;
  let bestStep = 0;
  const bestSoFar: number[] = [];
  const losses: number[] = [];
  let converged = false;
  let diverged: string | undefined;
  let step = 0;
  for (; step < s.maxSteps; step++) {
    const before = new Map([...vars].map(([name, v]) => [name, v.clone() as tf.Tensor]));
    const maxDecays = s.lrDecays ?? 2;
    // back to the best iterate at a quarter of the rate: what a plateau, a jump and a non-finite loss all call for
    const slowDown = () => {
      decays++;
      plateauFrom = step;
      for (const [name, v] of best ?? []) vars.get(name)!.assign(v);
      svi = new SVI(model, guide, new Adam({ lr: s.lr / 4 ** decays }), loss);
    };
    let value: number;
    try {
      value = svi.step(data, s.K);
    } catch (err) {
      tf.dispose([...before.values()]);
      // a step's params outside every distribution's domain (NaN, a zero sd) is the optimiser leaving the data's scale;
      // so is an update SVI refused as diverging (nothing written), which can be the very first one
      if (err instanceof PPLNumericalError || (err instanceof PPLError && step > 0)) {
        if (decays < maxDecays) {
          bestSoFar.push(bestLoss);
          slowDown();
          continue;
        }
        diverged = `the loss became non-finite at step ${step + 1} (best ${bestLoss.toFixed(3)} at step ${bestStep + 1}), after lowering the learning rate ${decays} times`;
        break;
      }
      throw err;
    }
    losses.push(value);
    onStep?.(step, value);
    if (value < bestLoss) {
      if (best) tf.dispose([...best.values()]);
      best = before;
      bestLoss = value;
      bestStep = step;
    } else {
      tf.dispose([...before.values()]);
      if (value > bestLoss + s.divergeRatio * Math.max(1, Math.abs(bestLoss))) {
        if (decays < maxDecays) {
          bestSoFar.push(bestLoss);
          slowDown();
          continue;
        }
        diverged = `the loss jumped to ${value.toFixed(3)} at step ${step + 1}, far above its best ${bestLoss.toFixed(3)} (step ${bestStep + 1}), after lowering the learning rate ${decays} times`;
        step++;
        break;
      }
    }
    bestSoFar.push(bestLoss);
    if (step - plateauFrom >= s.window) {
      const gain = bestSoFar[step - s.window]! - bestLoss;
      if (gain <= s.tol * Math.max(1, Math.abs(bestLoss))) {
        if (decays >= maxDecays) {
          converged = true;
          step++;
          break;
        }
        slowDown();
      }
    }
  }
  for (const [name, v] of best ?? []) vars.get(name)!.assign(v);
  tf.dispose([...(best?.values() ?? [])]);
  const m = guide.median(data, s.K);
  const params = takeParams(m);
  const compileStats = { ...loss.compileStats };
  loss.dispose();
  clearParamStore();
  return { restart, params, bestLoss, bestStep, steps: step, converged, ...(diverged ? { diverged } : {}), losses, seconds: (performance.now() - t0) / 1000, compileStats };
}
