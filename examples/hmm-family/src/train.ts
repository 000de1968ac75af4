/**
 * hmm.py's main(): MAP Baum-Welch. AutoDelta learns point estimates of the
 * probs_* sites, TraceEnumELBO sums the hidden states out exactly (compiled:
 * JitTraceEnumELBO, docs/compiled.md), Adam steps; then the loss without the
 * prior on the training and held-out data.
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type CompiledLossStats, SVI, block, clearParamStore, getParamStore, setRngSeed } from "ppl-core";
import type { Model, Msg } from "ppl-core";
import { AutoDelta, type InitLocFn } from "ppl-autoguide";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { MODELS, type ModelArgs, type ModelNumber, maxPlateNesting } from "./models/index.js";

export interface TrainData {
  readonly sequences: tf.Tensor3D;
  readonly lengths: tf.Tensor1D;
}

export interface TrainOptions {
  readonly model: ModelNumber;
  readonly args: ModelArgs;
  readonly steps: number;
  readonly lr: number;
  readonly seed: number;
  /**
   * The compiled ELBO (default): every step after the first replays the recorded program. The models
   * run with `args.jit` (as hmm.py's --jit does): the markov loop runs to the padded length, so a
   * subsampled batch (`args.batchSize`, its draw an input of the program) replays too.
   */
  readonly compiled?: boolean;
  /** Called after each step with the loss per observed time step. */
  readonly onStep?: (step: number, lossPerObservation: number) => void;
}

export interface TrainResult {
  readonly model: ModelNumber;
  /** Loss per observed time step (hmm.py's `loss / num_observations`), one per step. */
  readonly losses: number[];
  /** -log p(train data | point estimates) per observed step, without the prior. */
  readonly trainLoss: number;
  /** -log p(held-out data | point estimates) per observed step, without the prior. */
  readonly testLoss: number;
  /** The held-out log-likelihood per observed step (−testLoss). */
  readonly testLogLikelihood: number;
  /** Number of learned scalars (hmm.py's "capacity"). */
  readonly capacity: number;
  readonly seconds: number;
  /** With the compiled ELBO: how many loss calls recorded, replayed, or ran interpreted. */
  readonly compileStats?: CompiledLossStats;
}

/** hmm.py's guide: every probs_* site, and nothing else, goes to AutoDelta. */
export const exposeProbs = (msg: Msg): boolean => msg.name.startsWith("probs_");

export function makeGuide(model: ModelNumber, initLocFn?: InitLocFn): Model<TrainArgs> {
  // model_6's probs_* are params, not sample sites: its AutoDelta is an empty guide, as in Pyro
  return new AutoDelta(block(MODELS[model], { exposeFn: exposeProbs }), initLocFn ? { initLocFn } : {});
}

type TrainArgs = [tf.Tensor3D, tf.Tensor1D, ModelArgs, boolean?];

const observations = (lengths: tf.Tensor1D): number => Array.from(lengths.dataSync()).reduce((a, b) => a + b, 0);

export function train(data: TrainData, test: TrainData, options: TrainOptions): TrainResult {
  clearParamStore();
  setRngSeed(options.seed);
  const model = MODELS[options.model];
  const guide = makeGuide(options.model);
  const compiled = options.compiled ?? true;
  const Elbo = compiled ? JitTraceEnumELBO : TraceEnumELBO;
  const args: ModelArgs = { ...options.args, jit: compiled };
  const elbo = new Elbo({ maxPlateNesting: maxPlateNesting(options.model) });
  const optim = new Adam({ lr: options.lr });
  const svi = new SVI(model, guide, optim, elbo);
  const n = observations(data.lengths);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < options.steps; step++) {
    const loss = svi.step(data.sequences, data.lengths, args, true) / n;
    losses.push(loss);
    options.onStep?.(step, loss);
  }
  const seconds = (performance.now() - t0) / 1000;
  // evaluated on every sequence (no subsampling) and without the prior, so the numbers compare across models
  const whole = { ...args, batchSize: undefined };
  const trainLoss = elbo.loss(model, guide, data.sequences, data.lengths, whole, false) / n;
  const testLoss = elbo.loss(model, guide, test.sequences, test.lengths, whole, false) / observations(test.lengths);
  const store = getParamStore();
  const capacity = tf.tidy(() => store.names().reduce((a, name) => a + store.get(name).size, 0));
  optim.reset();
  const compileStats = elbo instanceof JitTraceEnumELBO ? { ...elbo.compileStats } : undefined;
  if (elbo instanceof JitTraceEnumELBO) elbo.dispose();
  clearParamStore();
  return { model: options.model, losses, trainLoss, testLoss, testLogLikelihood: -testLoss, capacity, seconds, ...(compileStats === undefined ? {} : { compileStats }) };
}
