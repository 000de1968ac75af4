/**
 * The tutorial's whole job: learn (best of restarts), relabel by mean,
 * decode, report, draw the figures. (ppl-hmm's job is packages/ppl-hmm/src/fit/run.ts.)
 */
import { mkdirSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { lossFigure, writeFigure } from "example-kit/figure";
import type { Progress } from "example-kit/progress";
import { accuracy } from "example-kit/sequences";
import { type StageTimings, stageTimings } from "example-kit/timings";
import { backendInfo } from "ppl-core";
import { decode, decodeAll } from "./decode.js";
import { MODEL_FORMS, learnBest, sortByLocs } from "./learn.js";
import type { RunOptions } from "./options.js";
import { densityFigure, segmentationFigure, sequenceFigure } from "ppl-hmm/figures";
import { paramErrors, roundParams, type Errors } from "./report.js";
import type { PlainParams } from "./truth.js";

export interface DecodeTarget {
  y: number[];
  /** True states, when known: gives an accuracy. */
  z?: number[];
  label: string;
}

export interface FitInput {
  obs: number[][];
  /** True hidden states of the training data, if known (figure 1 colours). */
  states?: number[][];
  /** Sequences to decode; default: the training sequences. */
  decodeTargets?: DecodeTarget[];
  truth?: PlainParams;
  names?: readonly string[];
}

export interface FitResult {
  backend: string;
  config: { form: RunOptions["form"]; states: number; steps: number; lr: number; restarts: number; seed: number; numSeqs: number; T: number };
  params: PlainParams;
  finalLossPerRestart: number[];
  bestLoss: number;
  bestRestart: number;
  lossCurve: number[];
  errors?: Errors;
  decoded: { label: string; states: number[]; accuracy?: number }[];
  accuracy?: number;
  timings: StageTimings;
  figures: string[];
}

export async function fit(input: FitInput, options: RunOptions, progress?: Progress): Promise<FitResult> {
  const t0 = performance.now();
  const S = input.obs.length;
  const T = input.obs[0]!.length;
  const obs = tf.tensor2d(input.obs);
  const { best, runs } = learnBest(
    obs,
    options.states,
    { form: MODEL_FORMS[options.form], compiled: !options.interpreted, steps: options.steps, lr: options.lr, seed: options.seed, onStep: progress?.update },
    options.restarts,
  );
  progress?.done();
  obs.dispose();
  const tLearn = performance.now();

  const params = sortByLocs(best.params);
  const targets: DecodeTarget[] = input.decodeTargets ?? input.obs.map((y, s) => ({ y, label: `seq${s + 1}` }));
  const decodeOptions = { interpreted: options.interpreted };
  const paths = decodeAll(targets.map((t) => t.y), params, decodeOptions);
  const decoded = targets.map((target, i) => {
    const states = paths[i]!;
    return { label: target.label, states, ...(target.z ? { accuracy: accuracy(states, target.z) } : {}) };
  });
  const tDecode = performance.now();

  const figures: string[] = [];
  if (options.figures) {
    mkdirSync(options.out, { recursive: true });
    const K = options.states;
    const z0 = input.states?.[0] ?? decode(input.obs[0]!, params, decodeOptions);
    figures.push(...(await writeFigure(sequenceFigure(input.obs[0]!, z0, K, input.names), options.out, "1-sequence")));
    figures.push(...(await writeFigure(lossFigure(best.losses), options.out, "2-loss")));
    figures.push(...(await writeFigure(densityFigure(params, input.truth, input.names), options.out, "3-emissions")));
    const first = targets[0]!;
    figures.push(...(await writeFigure(segmentationFigure(first.y, decoded[0]!.states, first.z, K, input.names), options.out, "4-segmentation")));
  }
  const tEnd = performance.now();
  const scored = decoded.filter((d) => d.accuracy !== undefined);
  return {
    backend: backendInfo().name,
    config: { form: options.form, states: options.states, steps: options.steps, lr: options.lr, restarts: options.restarts, seed: options.seed, numSeqs: S, T },
    params: roundParams(params),
    finalLossPerRestart: runs.map((r) => r.finalLoss),
    bestLoss: best.finalLoss,
    bestRestart: runs.indexOf(best),
    lossCurve: best.losses,
    ...(input.truth ? { errors: paramErrors(params, input.truth) } : {}),
    decoded,
    ...(scored.length > 0 ? { accuracy: scored.reduce((a, d) => a + d.accuracy!, 0) / scored.length } : {}),
    timings: stageTimings(t0, tLearn, tDecode, tEnd),
    figures,
  };
}
