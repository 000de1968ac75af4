/**
 * Learning: MAP of the four globals by SVI with Adam on TraceEnumELBO (the
 * hidden states summed out), AutoDelta from a prior draw; best of several
 * restarts by final loss.
 */
import * as tf from "@tensorflow/tfjs";
import { type BestOfRestarts, bestOfRestarts } from "example-kit/restarts";
import { Adam, type ELBO, type Model, SVI, TraceELBO, block, clearParamStore, setRngSeed } from "ppl-core";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { TraceEnumELBO } from "ppl-enum";
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

export function modelAndLoss(form: ModelForm): { model: Model<[tf.Tensor2D, number]>; loss: ELBO } {
  switch (form) {
    case "vectorized":
      return { model: vectorizedModel, loss: new TraceELBO() };
    case "vectorizedMarkov":
      return { model: vectorizedMarkovModel, loss: new TraceEnumELBO({ maxPlateNesting: 2 }) };
    case "markov":
      return { model, loss: new TraceEnumELBO({ maxPlateNesting: 1 }) };
  }
}

export interface LearnOptions {
  form?: ModelForm;
  steps: number;
  lr: number;
  seed: number;
  /** Called after every step (for progress display). */
  onStep?: (step: number, loss: number) => void;
}

export interface LearnResult {
  seed: number;
  params: PlainParams;
  losses: number[];
  finalLoss: number;
  seconds: number;
}

export function learn(obs: tf.Tensor2D, K: number, options: LearnOptions): LearnResult {
  clearParamStore();
  setRngSeed(options.seed);
  const { model: chosen, loss } = modelAndLoss(options.form ?? "markov");
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
  clearParamStore();
  return { seed: options.seed, params, losses, finalLoss, seconds };
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
