/**
 * Synthetic polyphonic data in the shape of hmm.py's JSB chorales (which
 * cannot be downloaded here): binary note sequences of varying lengths drawn
 * from a random "chord" HMM, zero-padded to the longest and returned with
 * their lengths, as pyro.contrib.examples.polyphonic_data_loader returns them.
 */
import * as tf from "@tensorflow/tfjs";
import { hashSeed, makeRng } from "ppl-core";

export interface PolyphonicData {
  /** [sequence][step][tone] in {0, 1}, 0 past each sequence's length. */
  readonly sequences: number[][][];
  readonly lengths: number[];
}

export interface ChordHmm {
  /** Row-stochastic transitions between chords; the chain starts in chord 0. */
  readonly transitions: number[][];
  /** Per chord, the probability of each tone sounding. */
  readonly tones: number[][];
}

/** A random sticky HMM over `chords` states, each sounding ~3 of the tones with probability 0.85 (others 0.03). */
export function randomChordHmm(chords: number, tones: number, seed: number): ChordHmm {
  const rand = makeRng(hashSeed("chord-hmm", seed));
  const transitions = Array.from({ length: chords }, (_, i) => {
    const row = Array.from({ length: chords }, (_, j) => (i === j ? 0 : 0.2 * rand() + 0.01));
    const off = row.reduce((a, b) => a + b, 0);
    return row.map((p, j) => (i === j ? 0.75 : (0.25 * p) / off));
  });
  const voices = Math.min(3, tones);
  const toneProbs = Array.from({ length: chords }, () => {
    const probs = new Array<number>(tones).fill(0.03);
    for (let v = 0; v < voices; v++) probs[Math.floor(rand() * tones)] = 0.85;
    return probs;
  });
  return { transitions, tones: toneProbs };
}

/** `count` sequences with lengths uniform in [⌈maxLength/2⌉, maxLength]. */
export function sampleSequences(hmm: ChordHmm, count: number, maxLength: number, seed: number): PolyphonicData {
  const rand = makeRng(hashSeed("sequences", seed));
  const pick = (probs: readonly number[]) => {
    let u = rand();
    for (let k = 0; k < probs.length - 1; k++) if ((u -= probs[k]!) < 0) return k;
    return probs.length - 1;
  };
  const minLength = Math.ceil(maxLength / 2);
  const lengths = Array.from({ length: count }, () => minLength + Math.floor(rand() * (maxLength - minLength + 1)));
  // the longest sequence spans the padding, as in the real data sets
  if (count > 0) lengths[0] = maxLength;
  const sequences = lengths.map((length) => {
    let state = 0;
    return Array.from({ length: maxLength }, (_, t) => {
      if (t >= length) return new Array<number>(hmm.tones[0]!.length).fill(0);
      state = pick(hmm.transitions[state]!);
      return hmm.tones[state]!.map((p) => (rand() < p ? 1 : 0));
    });
  });
  return { sequences, lengths };
}

/** The tensors a model takes: sequences [N, T, D] float32 and lengths [N] int32. */
export function toTensors(data: PolyphonicData): { sequences: tf.Tensor3D; lengths: tf.Tensor1D } {
  return { sequences: tf.tensor3d(data.sequences), lengths: tf.tensor1d(data.lengths, "int32") };
}
