/**
 * Learning: MAP of the four globals by SVI with Adam on JitTraceEnumELBO (the
 * hidden states summed out; the step recorded once and replayed, docs/compiled.md),
 * AutoDelta from a prior draw; best of several restarts by final loss.
 */
import * as tf from "@tensorflow/tfjs";
import { type BestOfRestarts, bestOfRestarts } from "example-kit/restarts";
import { Adam, type CompiledLossStats, type ELBO, JitTraceELBO, type Model, SVI, TraceELBO, block, clearParamStore, setRngSeed } from "ppl-core";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { GLOBAL_SITES, model, takeParams } from "./model.js";
import { vectorizedMarkovModel } from "./model-vectorized-markov.js";
import { vectorizedModel } from "./model-vectorized.js";
import type { PlainParams } from "./truth.js";

export { sortByLocs } from "ppl-hmm";

/**
 * "markov": the tutorial's model (a markov loop, TraceEnumELBO sums the states out).
 * "vectorizedMarkov": the same body under vectorizedMarkov (time on dim -2), TraceEnumELBO.
 * "vectorized": the same model with time vectorised into one DiscreteHMM site per sequence.
 */
export type ModelForm = "markov" | "vectorizedMarkov" | "vectorized";

/** The command line's --form names. */
export const MODEL_FORMS = { markov: "markov", "vectorized-markov": "vectorizedMarkov", "discrete-hmm": "vectorized" } as const satisfies Record<string, ModelForm>;

/** The form's model and its ELBO; `compiled`: the ELBO's compiled twin (docs/compiled.md). */
export function modelAndLoss(form: ModelForm, compiled = false): { model: Model<[tf.Tensor2D, number]>; loss: ELBO } {
  const Enum = compiled ? JitTraceEnumELBO : TraceEnumELBO;
  switch (form) {
    case "vectorized":
      return { model: vectorizedModel, loss: compiled ? new JitTraceELBO() : new TraceELBO() };
    case "vectorizedMarkov":
      return { model: vectorizedMarkovModel, loss: new Enum({ maxPlateNesting: 2 }) };
    case "markov":
      return { model, loss: new Enum({ maxPlateNesting: 1 }) };
  }
}

export interface LearnOptions {
  form?: ModelForm;
  steps: number;
  lr: number;
  seed: number;
  /**
   * Use the compiled ELBO (recorded on the first steps, replayed after; docs/compiled.md). Default true:
   * AutoDelta draws nothing and the model reads no param in JS, so every form replays. false: interpreted.
   */
  compiled?: boolean;
  /** Called after every step (for progress display). */
  onStep?: (step: number, loss: number) => void;
}

export interface LearnResult {
  seed: number;
  params: PlainParams;
  losses: number[];
  finalLoss: number;
  seconds: number;
  /** With `compiled`: how many loss calls recorded, replayed, or ran interpreted. */
  compileStats?: CompiledLossStats;
}

export function learn(obs: tf.Tensor2D, K: number, options: LearnOptions): LearnResult {
  clearParamStore();
  setRngSeed(options.seed);
  const { model: chosen, loss } = modelAndLoss(options.form ?? "markov", options.compiled ?? true);
  const guide = new AutoDelta(block(chosen, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
  const optim = new Adam({ lr: options.lr });
  const svi = new SVI(chosen, guide, optim, loss);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < options.steps; step++) {
    const loss = svi.step(obs, K);
    losses.push(loss);
    options.onStep?.(step, loss);
  }
  const seconds = (performance.now() - t0) / 1000;
  const m = guide.median(obs, K);
  const params = takeParams(m);
  // the loss after the last update, so restarts compare their end points
  const finalLoss = svi.evaluateLoss(obs, K);
  optim.reset();
  const jit = loss as Partial<JitTraceELBO>;
  const compileStats = jit.compileStats === undefined ? undefined : { ...jit.compileStats };
  jit.dispose?.();
  clearParamStore();
  return { seed: options.seed, params, losses, finalLoss, seconds, ...(compileStats === undefined ? {} : { compileStats }) };
}

/** Every restart and the one with the lowest final loss. */
export type LearnBestResult = BestOfRestarts<LearnResult>;

/** `restarts` runs from different seeds; keeps the lowest final loss. */
export function learnBest(
  obs: tf.Tensor2D,
  K: number,
  options: Omit<LearnOptions, "onStep"> & { onStep?: (restart: number, step: number, loss: number) => void },
  restarts: number,
): LearnBestResult {
  return bestOfRestarts(restarts, (r) => learn(obs, K, { ...options, seed: options.seed + r, onStep: (s, l) => options.onStep?.(r, s, l) }));
}
