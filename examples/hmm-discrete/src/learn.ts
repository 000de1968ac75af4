/**
 * Learning: MAP of the three globals by SVI with Adam on JitTraceEnumELBO (the
 * hidden states summed out; the step recorded once and replayed, docs/compiled.md),
 * AutoDelta started from a prior draw; best of several restarts by final loss.
 */
import * as tf from "@tensorflow/tfjs";
import { type BestOfRestarts, bestOfRestarts } from "example-kit/restarts";
import { Adam, type CompiledLossStats, SVI, block, clearParamStore, setRngSeed } from "ppl-core";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { GLOBAL_SITES, model } from "./model.js";
import type { PlainParams } from "./truth.js";

/** How to learn: SVI steps, Adam's learning rate, and the seed of ppl's RNG (the AutoDelta start). */
export interface LearnOptions {
  steps: number;
  lr: number;
  seed: number;
  /**
   * The compiled ELBO (default): AutoDelta draws nothing and the model reads no param in JS, so every
   * step after the first two replays the recorded program. false: the interpreted TraceEnumELBO.
   */
  compiled?: boolean;
  /** Called after every step (for progress display). */
  onStep?: (step: number, loss: number) => void;
}

/** One run: its seed, the MAP parameters (in the run's own state order), the loss curve and the loss after the last step. */
export interface LearnResult {
  seed: number;
  params: PlainParams;
  losses: number[];
  finalLoss: number;
  seconds: number;
  /** With `compiled`: how many loss calls recorded, replayed, or ran interpreted. */
  compileStats?: CompiledLossStats;
}

/** The loss the example minimises: states enumerated in parallel, one plate (the sequences); `compiled`: its compiled twin. */
export function makeLoss(compiled = false): TraceEnumELBO {
  return compiled ? new JitTraceEnumELBO({ maxPlateNesting: 1 }) : new TraceEnumELBO({ maxPlateNesting: 1 });
}

/** One SVI run on `obs` (int32 [S, T]) with K states and V symbols. */
export function learn(obs: tf.Tensor2D, K: number, V: number, options: LearnOptions): LearnResult {
  clearParamStore();
  setRngSeed(options.seed);
  const guide = new AutoDelta(block(model, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
  const optim = new Adam({ lr: options.lr });
  const loss = makeLoss(options.compiled ?? true);
  const svi = new SVI(model, guide, optim, loss);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < options.steps; step++) {
    const loss = svi.step(obs, K, V);
    losses.push(loss);
    options.onStep?.(step, loss);
  }
  const seconds = (performance.now() - t0) / 1000;
  const m = guide.median(obs, K, V);
  const params: PlainParams = {
    probsInit: Array.from(m.probs_init!.dataSync()),
    probsTrans: m.probs_trans!.arraySync() as number[][],
    probsEmit: m.probs_emit!.arraySync() as number[][],
  };
  tf.dispose(Object.values(m));
  // the loss after the last update, so restarts compare their end points
  const finalLoss = svi.evaluateLoss(obs, K, V);
  optim.reset();
  const compileStats = loss instanceof JitTraceEnumELBO ? { ...loss.compileStats } : undefined;
  if (loss instanceof JitTraceEnumELBO) loss.dispose();
  clearParamStore();
  return { seed: options.seed, params, losses, finalLoss, seconds, ...(compileStats === undefined ? {} : { compileStats }) };
}

/** Every restart and the one with the lowest final loss. */
export type LearnBestResult = BestOfRestarts<LearnResult>;

/** `restarts` runs from seeds seed, seed + 1, …; keeps the lowest final loss. */
export function learnBest(
  obs: tf.Tensor2D,
  K: number,
  V: number,
  options: Omit<LearnOptions, "onStep"> & { onStep?: (restart: number, step: number, loss: number) => void },
  restarts: number,
): LearnBestResult {
  return bestOfRestarts(restarts, (r) => learn(obs, K, V, { ...options, seed: options.seed + r, onStep: (s, l) => options.onStep?.(r, s, l) }));
}
