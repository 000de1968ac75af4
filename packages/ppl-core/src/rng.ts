/**
 * Seeded randomness. tfjs has no key splitting, so every draw gets its own
 * 32-bit seed derived by hashing (run seed, site name, occurrence).
 */
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
  if (drawDepth === 0) seedsOutsideDraws++;
  return hashSeed(globalSeed, counter++, label);
}

let drawDepth = 0;
let seedsOutsideDraws = 0;

/**
 * Run a site's draw (the default sampler of a sample site). A compiled loss
 * (jit/) replays kernels with the values they had when recorded: it must
 * know that noise entered a step, and a draw that makes no new values (a
 * Delta's) is not noise. Inside `drawing`, a tensor made from JS values is
 * noise; a seed taken outside any draw counts as noise whatever it makes.
 */
export function drawing<T>(draw: () => T): T {
  drawDepth++;
  try {
    return draw();
  } finally {
    drawDepth--;
  }
}

/** Whether a site's draw is running (see {@link drawing}). */
export function isDrawing(): boolean {
  return drawDepth > 0;
}

/** How many seeds the global stream gave out outside a site's draw (see {@link drawing}). */
export function seedsTakenOutsideDraws(): number {
  return seedsOutsideDraws;
}

/** A small, fast PRNG (mulberry32) for samplers written in JS. Returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
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
