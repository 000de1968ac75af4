/**
 * The hmm.py rows of `pnpm bench`: one SVI step (hmm-family's AutoDelta guide,
 * TraceEnumELBO, Adam) of Pyro's examples/hmm.py models at the sizes of issue
 * 13's targets, on the example's synthetic polyphonic data.
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type CompiledLossStats, SVI, clearParamStore, setRngSeed } from "ppl-core";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { randomChordHmm, sampleSequences, toTensors } from "hmm-family/data";
import { MODELS, type ModelArgs, type ModelNumber, maxPlateNesting } from "hmm-family/models";
import { makeGuide } from "hmm-family/train";
import { type CompileCost, type Timed, timeEachCall, timeUntilReplay } from "./compile-cost.js";
import { type GcShare, profileGc } from "./cpu-profile.js";

export interface HmmSize {
  /** sequences (the plate on dim -2) */
  readonly S: number;
  /** max length (lengths are drawn in [T/2, T], the first is T) */
  readonly T: number;
  /** tones (the plate on dim -1) */
  readonly D: number;
  /** hmm.py's --hidden-dim; models 3 and 4 use √hidden states per chain */
  readonly hidden: number;
}

export interface HmmRowSpec {
  readonly model: ModelNumber;
  /** Pyro 1.8.6 on this machine, 1 torch thread, median of 10 steps after 5 warm-up (issue 13) */
  readonly pyroMs: number;
  /** issue 25's side-by-side run on this machine: Pyro 1.8.6 and Pyro's JitTraceEnum_ELBO, medians per step */
  readonly pyro25Ms: number;
  readonly pyroJitMs: number;
  readonly targetMs: number;
  /** hidden states as hmm.py sizes them for this model, for the row's config */
  readonly states: (n: HmmSize) => string;
  /**
   * Multiply-adds of one forward pass of the exact sum over the hidden
   * states, an estimate (the cheapest contraction order, every sequence run
   * to T, the priors and the guide ignored). H = hidden, h = √hidden.
   */
  readonly forwardMadds: (n: HmmSize) => number;
}

/** Issue 13's sizes: 32 sequences of up to 64 steps × 32 tones, hidden 16. */
export const HMM_SIZE: HmmSize = { S: 32, T: 64, D: 32, hidden: 16 };

const h = (n: HmmSize) => Math.floor(Math.sqrt(n.hidden));

export const HMM_ROWS: readonly HmmRowSpec[] = [
  // model_1: transitions Σ_{x[t-1]} for each x[t]: S·T·H²; Bernoulli emissions per state and tone: S·T·H·D
  { model: 1, pyroMs: 60.2, pyro25Ms: 137, pyroJitMs: 88, targetMs: 30, states: (n) => `${n.hidden}`, forwardMadds: (n) => n.S * n.T * (n.hidden ** 2 + n.hidden * n.D) },
  // model_2: as model_1; y[t-1] is observed, so it only selects the emission table: S·T·(H² + H·D)
  { model: 2, pyroMs: 67.9, pyro25Ms: 131, pyroJitMs: 89, targetMs: 34, states: (n) => `${n.hidden}`, forwardMadds: (n) => n.S * n.T * (n.hidden ** 2 + n.hidden * n.D) },
  // model_3: joint state (w, x), h² of them; the factorised transitions are two h³ sums
  // (Σ_{w[t-1]} then Σ_{x[t-1]}): S·T·2h³; the emission couples w and x: S·T·h²·D
  { model: 3, pyroMs: 85.8, pyro25Ms: 166, pyroJitMs: 102, targetMs: 43, states: (n) => `${h(n)}x${h(n)}`, forwardMadds: (n) => n.S * n.T * (2 * h(n) ** 3 + h(n) ** 2 * n.D) },
  // model_4: as model_3, with p(x[t] | w[t], x[t-1]) an h³ table: still two h³ sums per step: S·T·(2h³ + h²·D)
  { model: 4, pyroMs: 91.1, pyro25Ms: 245, pyroJitMs: 145, targetMs: 46, states: (n) => `${h(n)}x${h(n)}`, forwardMadds: (n) => n.S * n.T * (2 * h(n) ** 3 + h(n) ** 2 * n.D) },
  // model_6: the state is the pair (x[t-1], x[t]); Σ_{x[t-2]} for each of H² pairs: S·T·H³; emissions S·T·H·D
  { model: 6, pyroMs: 197.8, pyro25Ms: 355, pyroJitMs: 409, targetMs: 99, states: (n) => `${n.hidden}`, forwardMadds: (n) => n.S * n.T * (n.hidden ** 3 + n.hidden * n.D) },
];

/**
 * GFLOP/s of a step from its forward multiply-adds: ×2 flops per
 * multiply-add, ×3 for forward + backward (the gradient's backward pass costs
 * about twice the forward). An estimate of useful arithmetic, not of what the
 * kernels execute.
 */
export function gflops(spec: HmmRowSpec, n: HmmSize, ms: number): number {
  return (2 * 3 * spec.forwardMadds(n)) / (ms * 1e-3) / 1e9;
}

export interface HmmTiming {
  readonly times: number[];
  /** CPU ms (user + system) of each timed step: less disturbed than wall time by other work on a shared machine */
  readonly cpuTimes: number[];
  readonly warmup: number;
  /** loss per observed step of the last timed step, to show the step computed something sane */
  readonly lossPerObservation: number;
  /** true when the step was too slow (> 3 s) for the full count */
  readonly reduced: boolean;
  /** with `compiled`: the steps before the first replay (the compile cost) */
  readonly compile?: CompileCost;
  /** the process's peak RSS after the timed steps (before the profiled ones), MiB */
  readonly peakRssMiB: number;
  /** with `profiled` steps: their GC share, and how many steps it covers */
  readonly gc?: GcShare & { readonly steps: number };
}

/**
 * The backend's own float32 matMul rate on n×n matrices (2n³ flops a product,
 * median of `reps`): a practical ceiling for the GFLOP/s column.
 */
export function matMulGflops(n: number, reps: number): { gflops: number; ms: number } {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const s = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    if (i >= 2) times.push(performance.now() - s);
  }
  a.dispose();
  b.dispose();
  const ms = [...times].sort((x, y) => x - y)[Math.floor((times.length - 1) / 2)]!;
  return { gflops: (2 * n ** 3) / (ms * 1e-3) / 1e9, ms };
}

/** One SVI step of hmm.py's model at size n (the example's synthetic data, seed 0), and what to dispose after. */
export function hmmStep(model: ModelNumber, n: HmmSize, compiled = false): {
  step: () => number;
  observations: number;
  dispose: () => void;
  /** with `compiled`: what the compiled ELBO's calls did so far, and each call's time */
  compileStats?: () => Readonly<CompiledLossStats>;
  lossCalls?: readonly Timed[];
} {
  clearParamStore();
  setRngSeed(0);
  const truth = randomChordHmm(4, n.D, 0);
  const data = toTensors(sampleSequences(truth, n.S, n.T, 0));
  const observations = Array.from(data.lengths.dataSync()).reduce((a, b) => a + b, 0);
  const args: ModelArgs = { hiddenDim: n.hidden, nnDim: 8, nnChannels: 2, raftery: false };
  const optim = new Adam({ lr: 0.05 });
  const elbo = new (compiled ? JitTraceEnumELBO : TraceEnumELBO)({ maxPlateNesting: maxPlateNesting(model) });
  const svi = new SVI(MODELS[model]!, makeGuide(model), optim, elbo);
  return {
    step: () => svi.step(data.sequences, data.lengths, args, true),
    observations,
    ...(elbo instanceof JitTraceEnumELBO ? { compileStats: () => elbo.compileStats, lossCalls: timeEachCall(elbo, "differentiableLoss") } : {}),
    dispose: () => {
      data.sequences.dispose();
      data.lengths.dispose();
      optim.reset();
      (elbo as Partial<JitTraceEnumELBO>).dispose?.();
      clearParamStore();
    },
  };
}

/**
 * SVI step times (ms) after warm-up; a warm-up step (after the first) slower than `slowMs` ends the warm-up and cuts
 * the timed steps to `slowSteps`. With `compiled`, the warm-up starts with the steps before the first replay, timed
 * as the compile cost; `profiled` more steps after the timed ones give the GC share of a steady step.
 */
export function hmmStepTimes(
  model: ModelNumber, n: HmmSize, counts: { warmup: number; timed: number; profiled?: number; slowMs?: number; slowSteps?: number }, compiled = false,
): HmmTiming {
  const slowMs = counts.slowMs ?? 3000;
  const slowSteps = counts.slowSteps ?? 3;
  const { step, observations, dispose, compileStats, lossCalls } = hmmStep(model, n, compiled);
  let reduced = false;
  let timed = counts.timed;
  let profiled = counts.profiled ?? 0;
  try {
    const compile = compileStats === undefined ? undefined : timeUntilReplay(step, compileStats, 4, lossCalls);
    let warmup = compile?.ran ?? 0;
    while (warmup < counts.warmup) {
      const s = performance.now();
      step();
      warmup++;
      // the first step pays the one-off costs (kernel set-up, tape shapes), so judge from the second
      if (warmup >= 2 && performance.now() - s > slowMs) {
        // at seconds a step, more warm-up would not change the figure
        reduced = true;
        timed = Math.min(timed, slowSteps);
        profiled = Math.min(profiled, slowSteps);
        break;
      }
    }
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let loss = NaN;
    for (let i = 0; i < timed; i++) {
      const s = performance.now();
      const c = process.cpuUsage();
      loss = step();
      times.push(performance.now() - s);
      const dc = process.cpuUsage(c);
      cpuTimes.push((dc.user + dc.system) / 1000);
    }
    // before the profiled steps: the profiler's own memory is not the step's
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const gc = profiled > 0 ? { ...profileGc(() => {
      for (let i = 0; i < profiled; i++) step();
    }), steps: profiled } : undefined;
    return {
      times, cpuTimes, warmup, lossPerObservation: loss / observations, reduced, peakRssMiB,
      ...(compile === undefined ? {} : { compile }), ...(gc === undefined ? {} : { gc }),
    };
  } finally {
    dispose();
  }
}
