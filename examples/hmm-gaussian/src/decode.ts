/**
 * Viterbi segmentation: the MAP decode (inferDiscrete at temperature 0) of
 * the model the example trains (the tutorial's markov loop) at fixed
 * globals, compiled (JitInferDiscrete, docs/compiled.md): the first call for
 * a sequence length records, later ones replay the recorded kernels with the
 * new sequences and globals. The plan fuses the loop's chain, so every path
 * is one Viterbi pass of ppl-core's chain kernel; sequences of one length
 * share one call (its plate over sequences).
 */
import * as tf from "@tensorflow/tfjs";
import { mapByLength } from "example-kit/sequences";
import { type CompiledLossStats, trace } from "ppl-core";
import { JitInferDiscrete, inferDiscrete } from "ppl-enum";
import { type Globals, sequences } from "./model.js";
import type { PlainParams } from "./truth.js";

/** `interpreted`: inferDiscrete's model, traced each call, instead of the compiled decoder (same paths, slower). */
export interface DecodeOptions {
  readonly interpreted?: boolean;
}

// one decoder for every call: it records once per sequence length (and number of sequences)
const viterbi = new JitInferDiscrete(sequences, { temperature: 0, firstAvailableDim: -2 });
const interpretedViterbi = inferDiscrete(sequences, { temperature: 0, firstAvailableDim: -2 });

/** How many compiled decodes recorded, replayed or ran interpreted so far (the bench times the calls before the first replay). */
export function decoderStats(): Readonly<CompiledLossStats> {
  return viterbi.compileStats;
}

/** The Viterbi path of one sequence. */
export function decode(y: readonly number[], p: PlainParams, options: DecodeOptions = {}): number[] {
  return decodeAll([y], p, options)[0]!;
}

/** The Viterbi path of each sequence. */
export function decodeAll(ys: readonly (readonly number[])[], p: PlainParams, options: DecodeOptions = {}): number[][] {
  return mapByLength(ys, (group, T) => decodeRectangular(group, T, p, options));
}

/** S sequences of length T in one call: z_t has the sequence plate's shape, [S]. */
function decodeRectangular(ys: readonly (readonly number[])[], T: number, p: PlainParams, options: DecodeOptions): number[][] {
  return tf.tidy(() => {
    const globals: Globals = {
      probsInit: tf.tensor1d(p.probsInit),
      probsTrans: tf.tensor2d(p.probsTrans),
      locs: tf.tensor1d(p.locs),
      scales: tf.tensor1d(p.scales),
    };
    // the sequences copied into one array (tfjs flattens nested arrays element by element, recursively)
    const flat = new Float32Array(ys.length * T);
    ys.forEach((y, s) => flat.set(y, s * T));
    const obs = tf.tensor2d(flat, [ys.length, T]);
    let valueOf: (site: string) => tf.Tensor;
    if (options.interpreted === true) {
      const tr = trace(interpretedViterbi).getTrace(obs, globals);
      valueOf = (site) => tr.sampleSite(site).value;
    } else {
      const values = viterbi.decode(obs, globals);
      valueOf = (site) => values.get(site)!;
    }
    // each z_t has the plate's shape, [S]; sites decoded to the same states share one tensor, read once (a
    // stack of the T values was most of a compiled call's garbage: T tensors expanded, concatenated and read)
    const read = new Map<tf.Tensor, ArrayLike<number>>();
    const paths = ys.map(() => new Array<number>(T));
    for (let t = 0; t < T; t++) {
      const value = valueOf(stepName(t));
      let data = read.get(value);
      if (data === undefined) read.set(value, (data = value.dataSync()));
      for (let s = 0; s < paths.length; s++) paths[s]![t] = data[s]!;
    }
    return paths;
  });
}

// the step sites' names, made once each (a decode reads all T of them on every call)
const stepNames: string[] = [];
function stepName(t: number): string {
  for (let k = stepNames.length; k <= t; k++) stepNames.push(`z_${k}`);
  return stepNames[t]!;
}
