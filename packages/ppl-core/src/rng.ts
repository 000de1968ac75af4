/**
 * Seeded randomness. tfjs has no key splitting, so every draw gets its own
 * 32-bit seed derived by hashing (run seed, site name, occurrence).
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError } from "./errors.js";

let globalSeed = (Date.now() ^ 0x9e3779b9) >>> 0;
let counter = 0;

/** Make every later run reproducible: same seed, same draws. */
export function setRngSeed(seed: number): void {
  if (!Number.isInteger(seed)) {
    throw new PPLConfigError(`setRngSeed expects an integer, got ${String(seed)}. Fix: pass an integer such as setRngSeed(0)`, {
      expected: "an integer",
      actual: String(seed),
    });
  }
  globalSeed = seed >>> 0;
  counter = 0;
}

/** Where the global stream is: what {@link restoreRngState} takes back to. */
export interface RngState {
  readonly seed: number;
  readonly counter: number;
}

/** The global stream's position, so a diagnosis can redraw a failed step's values exactly. */
export function rngState(): RngState {
  return { seed: globalSeed, counter };
}

/** Put the global stream back where {@link rngState} found it. */
export function restoreRngState(state: RngState): void {
  globalSeed = state.seed;
  counter = state.counter;
}

/** FNV-1a over the parts' string forms, finished with a murmur mix. */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = typeof part === "number" ? `#${part}` : part;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2f;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The next seed of the global stream, for a draw with no `seed` handler around it. */
export function nextSeed(label = ""): number {
  const at = counter++;
  const seed = hashSeed(globalSeed, at, label);
  observer?.seed(label, seed, drawDepth > 0, at);
  return seed;
}

/**
 * The seeds {@link nextSeed} gives at the stream's positions `counter + offset` with their labels, and the
 * stream moved on to `counter + end`: a compiled loss's replay takes the seeds its recorded call took at the
 * same places (the call may have rewound the stream with {@link restoreRngState}, as sequential enumeration
 * does to draw each branch alike).
 */
export function seedsAhead(at: readonly { readonly offset: number; readonly label: string }[], end: number): number[] {
  const base = counter;
  const seeds = at.map(({ offset, label }) => {
    const seed = hashSeed(globalSeed, base + offset, label);
    observer?.seed(label, seed, false, base + offset);
    return seed;
  });
  counter = base + end;
  return seeds;
}

let drawDepth = 0;

/**
 * Run a site's draw (the default sampler of a sample site). A compiled loss
 * (jit/) replays kernels with the values they had when recorded: it must
 * know that noise entered a step, and a draw that makes no new values (a
 * Delta's) is not noise. Inside `drawing`, a tensor made from JS values that
 * {@link noise} did not make is noise the compiled loss cannot make again.
 */
export function drawing<T>(draw: () => T): T {
  drawDepth++;
  observer?.drawStart();
  try {
    return draw();
  } finally {
    drawDepth--;
    observer?.drawEnd();
  }
}

/** Whether a site's draw is running (see {@link drawing}). */
export function isDrawing(): boolean {
  return drawDepth > 0;
}

/**
 * A draw's noise: the tensor `make(seed)` makes from nothing but the seed and
 * JS constants (tfjs's seeded standard normal or uniform values of a fixed
 * shape, a subsample's indices). Samplers make their randomness here so that
 * a compiled loss can make it again: its program takes the noise as an input
 * and, on each replay, calls `make` with the seed the stream gives in this
 * one's place, so a replay draws what the interpreted step would have.
 */
export function noise(seed: number, make: (seed: number) => tf.Tensor): tf.Tensor {
  return observer === undefined ? make(seed) : observer.noise(seed, make);
}

/** Standard normal noise of `shape`: tfjs's seeded draws, through {@link noise}. */
export function normalNoise(shape: readonly number[], seed: number): tf.Tensor {
  return noise(seed, (s) => tf.randomNormal([...shape], 0, 1, "float32", s));
}

/** Uniform noise on [low, high) of `shape`: tfjs's seeded draws, through {@link noise}. */
export function uniformNoise(shape: readonly number[], low: number, high: number, seed: number): tf.Tensor {
  return noise(seed, (s) => tf.randomUniform([...shape], low, high, "float32", s));
}

/** What a compiled loss's recorder (jit/recorder.ts) watches while it records a call. */
export interface RngObserver {
  /** The global stream gave `seed` for `label` at its position `at`; `inDraw`: to a site's draw. */
  seed(label: string, seed: number, inDraw: boolean, at: number): void;
  /** A sampler's noise (see {@link noise}): returns `make(seed)`. */
  noise(seed: number, make: (seed: number) => tf.Tensor): tf.Tensor;
  /** A JS generator was made ({@link makeRng}): a sampler written in JS, unless {@link noise} runs it. */
  generator(): void;
  /** A site's draw begins (see {@link drawing}). */
  drawStart(): void;
  /** The draw {@link drawStart} began ends. */
  drawEnd(): void;
}

let observer: RngObserver | undefined;

/** Watch the stream with `o` (undefined: stop); returns the observer it replaces. */
export function observeRng(o: RngObserver | undefined): RngObserver | undefined {
  const previous = observer;
  observer = o;
  return previous;
}

/** A small, fast PRNG (mulberry32) for samplers written in JS. Returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
  observer?.generator();
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a JS PRNG (Box–Muller). */
export function normalFrom(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
