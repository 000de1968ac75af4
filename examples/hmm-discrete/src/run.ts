/**
 * The whole job: generate data from the truth, learn (best of restarts),
 * relabel the states against the truth, decode the held-out sequence with
 * the learned and with the true parameters, draw the figures.
 */
import { mkdirSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { lossFigure, writeFigure } from "example-kit/figure";
import type { Progress } from "example-kit/progress";
import { accuracy } from "example-kit/sequences";
import { type StageTimings, stageTimings } from "example-kit/timings";
import { backendInfo } from "ppl-core";
import { decodeAll } from "./decode.js";
import { learnBest } from "./learn.js";
import type { RunOptions } from "./options.js";
import { decodeFigure, emissionFigure, sequenceFigure } from "./plots.js";
import { bestOrder, reorder } from "./relabel.js";
import { type Errors, paramErrors, roundParams } from "./report.js";
import { SYMBOLS, TRUTHS, type PlainParams, generate } from "./truth.js";

/** Data sizes and seeds: `numSeqs` training sequences of T days, one held-out sequence of testT days. */
export interface DataConfig {
  numSeqs: number;
  T: number;
  testT: number;
  trainSeed: number;
  testSeed: number;
}

/** The example's data: 50 × 100 days to learn from; 2 000 held-out days, so the accuracies are within ~1 point of their expectation. */
export const DATA_DEFAULTS: DataConfig = { numSeqs: 50, T: 100, testT: 2000, trainSeed: 1, testSeed: 77 };

/** What `--json` prints (plus wallSeconds). */
export interface RunResult {
  backend: string;
  config: Omit<RunOptions, "json" | "figures" | "out"> & DataConfig;
  stateNames: readonly string[];
  symbols: readonly string[];
  /** The learned MAP parameters, states relabelled to match the truth's (see relabelOrder). */
  params: PlainParams;
  trueParams: PlainParams;
  /** relabelOrder[k]: the learned state (of the best restart) that became state k. */
  relabelOrder: number[];
  errors: Errors;
  /** Viterbi accuracy on the held-out sequence with the learned parameters. */
  accuracy: number;
  /** Viterbi accuracy on the held-out sequence with the true parameters: the best a learned model can expect. */
  oracleAccuracy: number;
  bestLoss: number;
  bestRestart: number;
  finalLossPerRestart: number[];
  lossCurve: number[];
  timings: StageTimings;
  figures: string[];
}

/** Run the example with `options` on data of `data`'s sizes. */
export async function runExample(options: RunOptions, data: DataConfig = DATA_DEFAULTS, progress?: Progress): Promise<RunResult> {
  const t0 = performance.now();
  const K = options.states;
  const V = SYMBOLS.length;
  const { params: truth, names } = TRUTHS[K];
  const train = generate(data.numSeqs, data.T, data.trainSeed, truth);
  const test = generate(1, data.testT, data.testSeed, truth);

  const obs = tf.tensor2d(train.obs, [data.numSeqs, data.T], "int32");
  const { best, runs } = learnBest(obs, K, V, { steps: options.steps, lr: options.lr, seed: options.seed, onStep: progress?.update }, options.restarts);
  obs.dispose();
  progress?.done();
  const tLearn = performance.now();

  const order = bestOrder(best.params, truth);
  const params = reorder(best.params, order);
  const [decoded, oracle] = [decodeAll(test.obs, params)[0]!, decodeAll(test.obs, truth)[0]!];
  const tDecode = performance.now();

  const figures: string[] = [];
  if (options.figures) {
    mkdirSync(options.out, { recursive: true });
    figures.push(...(await writeFigure(sequenceFigure(train.obs[0]!, train.states[0]!, names), options.out, "1-sequence")));
    figures.push(...(await writeFigure(lossFigure(best.losses), options.out, "2-loss")));
    figures.push(...(await writeFigure(emissionFigure(params, truth, names), options.out, "3-emissions")));
    const rows = [
      { label: "true", states: test.states[0]! },
      { label: "decoded (learned)", states: decoded },
      { label: "decoded (true params)", states: oracle },
    ];
    figures.push(...(await writeFigure(decodeFigure(rows, names), options.out, "4-decoded")));
  }
  const tEnd = performance.now();
  return {
    backend: backendInfo().name,
    config: { states: K, steps: options.steps, lr: options.lr, restarts: options.restarts, seed: options.seed, ...data },
    stateNames: names,
    symbols: SYMBOLS,
    params: roundParams(params),
    trueParams: truth,
    relabelOrder: order,
    errors: paramErrors(params, truth),
    accuracy: accuracy(decoded, test.states[0]!),
    oracleAccuracy: accuracy(oracle, test.states[0]!),
    bestLoss: best.finalLoss,
    bestRestart: runs.indexOf(best),
    finalLossPerRestart: runs.map((r) => r.finalLoss),
    lossCurve: best.losses,
    timings: stageTimings(t0, tLearn, tDecode, tEnd),
    figures,
  };
}
