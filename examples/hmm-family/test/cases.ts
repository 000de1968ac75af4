/**
 * One tiny case per hmm.py model: fixed values for its sites and its
 * log-joint written out in float64 from the model's definition (hmm.py's
 * comments and graphs), with the hidden paths summed by brute force.
 */
import type { ModelArgs, ModelNumber } from "../src/models/index.js";
import { TONES_GENERATOR_LAYERS, type Layer, weightName } from "../src/models/tones-generator.js";
import type { Case, SiteValue } from "./harness.js";
import {
  type Instance, TINY, bruteForce, lcg, logBern, logBernLogits, logBetaPdf, logCat, logTransitionPrior, rows, simplexRows,
} from "./oracle.js";

const D = TINY.tones;
type Values = Readonly<Record<string, readonly number[]>>;

const unit = (n: number, rand: () => number) => Array.from({ length: n }, () => 0.15 + 0.7 * rand());
const site = (shape: number[], data: number[], simplex = false): SiteValue => ({ shape, data, simplex });

/** Σ over rows r of a [..., H, H] table of hmm.py's Dirichlet(0.9·e_r + 0.1) prior. */
function transitionPriorOf(flat: readonly number[], h: number): number {
  return rows(flat, h).reduce((s, row, i) => s + logTransitionPrior(row, i % h), 0);
}
const tonesPriorOf = (flat: readonly number[]) => flat.reduce((s, p) => s + logBetaPdf(p, 0.1, 0.9), 0);

const ARGS: ModelArgs = { hiddenDim: 2, nnDim: 3, nnChannels: 2, raftery: false };

/** model_0 and model_1: x[t] ~ probs_x[x[t-1]] from x[-1] = 0, y[t, d] ~ Bernoulli(probs_y[x[t], d]). */
export function plainHmm(model: ModelNumber, includePrior: boolean, inst: Instance = TINY): Case {
  const H = 2;
  const rand = lcg(11);
  return {
    model, args: ARGS, inst, includePrior,
    samples: { probs_x: site([H, H], simplexRows(H, H, rand), true), probs_y: site([H, D], unit(H * D, rand)) },
    oracle: (v: Values) => {
      const px = rows(v.probs_x!, H);
      const py = rows(v.probs_y!, D);
      const lik = bruteForce(inst, H, (path, y) =>
        path.reduce((s, x, t) => s + logCat(px[t === 0 ? 0 : path[t - 1]!]!, x) + y[t]!.reduce((a, yd, d) => a + logBern(yd, py[x]![d]!), 0), 0));
      return lik + (includePrior ? transitionPriorOf(v.probs_x!, H) + tonesPriorOf(v.probs_y!) : 0);
    },
  };
}

/** model_2: y[t, d] ~ Bernoulli(probs_y[x[t], y[t-1, d], d]) with y[-1] = 0. */
function arHmm(): Case {
  const H = 2;
  const rand = lcg(12);
  return {
    model: 2, args: ARGS, inst: TINY, includePrior: true,
    samples: { probs_x: site([H, H], simplexRows(H, H, rand), true), probs_y: site([H, 2, D], unit(H * 2 * D, rand)) },
    oracle: (v) => {
      const px = rows(v.probs_x!, H);
      const py = (x: number, prev: number, d: number) => v.probs_y![(x * 2 + prev) * D + d]!;
      const lik = bruteForce(TINY, H, (path, y) =>
        path.reduce((s, x, t) => s + logCat(px[t === 0 ? 0 : path[t - 1]!]!, x) +
          y[t]!.reduce((a, yd, d) => a + logBern(yd, py(x, t === 0 ? 0 : y[t - 1]![d]!, d)), 0), 0));
      return lik + transitionPriorOf(v.probs_x!, H) + tonesPriorOf(v.probs_y!);
    },
  };
}

/**
 * model_3 (dependent = false) and model_4 (true): two chains of √4 = 2 states, w[t] ~ probs_w[w[t-1]],
 * x[t] ~ probs_x[x[t-1]] or probs_x[w[t], x[t-1]], y[t, d] ~ Bernoulli(probs_y[w[t], x[t], d]).
 * The joint state (w, x) is enumerated as one state w·2 + x.
 */
function factorialHmm(dependent: boolean): Case {
  const h = 2;
  const rand = lcg(dependent ? 14 : 13);
  const xRows = dependent ? h * h : h;
  return {
    model: dependent ? 4 : 3, args: { ...ARGS, hiddenDim: 4 }, inst: TINY, includePrior: true,
    samples: {
      probs_w: site([h, h], simplexRows(h, h, rand), true),
      probs_x: site(dependent ? [h, h, h] : [h, h], simplexRows(xRows, h, rand), true),
      probs_y: site([h, h, D], unit(h * h * D, rand)),
    },
    oracle: (v) => {
      const pw = rows(v.probs_w!, h);
      const px = rows(v.probs_x!, h);
      const lik = bruteForce(TINY, h * h, (path, y) =>
        path.reduce((s, state, t) => {
          const [w, x] = [Math.floor(state / h), state % h];
          const prev = t === 0 ? 0 : path[t - 1]!;
          const [wPrev, xPrev] = [Math.floor(prev / h), prev % h];
          const xRow = dependent ? px[w * h + xPrev]! : px[xPrev]!;
          return s + logCat(pw[wPrev]!, w) + logCat(xRow, x) +
            y[t]!.reduce((a, yd, d) => a + logBern(yd, v.probs_y![(w * h + x) * D + d]!), 0);
        }, 0));
      return lik + transitionPriorOf(v.probs_w!, h) + transitionPriorOf(v.probs_x!, h) + tonesPriorOf(v.probs_y!);
    },
  };
}

/** The tones generator in float64: logits of step t from x[t] and the tones of step t-1. */
function tonesGeneratorOracle(v: Values, args: ModelArgs, x: number, yPrev: readonly number[]): number[] {
  const w = (l: Layer) => v[weightName(l, "weight")]!;
  const b = (l: Layer) => v[weightName(l, "bias")]!;
  const C = args.nnChannels;
  const U = args.nnDim;
  const padded = [0, ...yPrev, 0];
  const yConv: number[] = [];
  for (let j = 0; j < D; j++) {
    for (let c = 0; c < C; c++) {
      let s = b("conv")[c]!;
      for (let k = 0; k < 3; k++) s += padded[j + k]! * w("conv")[k * C + c]!;
      yConv.push(Math.max(0, s));
    }
  }
  const h = Array.from({ length: U }, (_, u) => {
    let s = w("x_to_hidden")[x * U + u]! + b("x_to_hidden")[u]! + b("y_to_hidden")[u]!;
    yConv.forEach((yc, m) => (s += yc * w("y_to_hidden")[m * U + u]!));
    return Math.max(0, s);
  });
  return Array.from({ length: D }, (_, d) => h.reduce((s, hu, u) => s + hu * w("hidden_to_logits")[u * D + d]!, b("hidden_to_logits")[d]!));
}

/** model_5 and model_7: x[t] ~ probs_x[x[t-1]], y[t] ~ Bernoulli(logits = net(x[t], y[t-1])) with y[-1] = 0. */
function neuralHmm(model: 5 | 7): Case {
  const H = 2;
  const rand = lcg(15);
  const params: Record<string, SiteValue> = {};
  for (const layer of Object.keys(TONES_GENERATOR_LAYERS) as Layer[]) {
    const [fanIn, out] = TONES_GENERATOR_LAYERS[layer](ARGS, D);
    // the state's layer made strong, so an emission that ignored the state would show in the loss
    const r = () => ((layer === "x_to_hidden" ? 6 : 2) * rand() - (layer === "x_to_hidden" ? 3 : 1)) / Math.sqrt(fanIn);
    params[weightName(layer, "weight")] = site([fanIn, out], Array.from({ length: fanIn * out }, r));
    params[weightName(layer, "bias")] = site([out], Array.from({ length: out }, r));
  }
  return {
    model, args: ARGS, inst: TINY, includePrior: true, params,
    samples: { probs_x: site([H, H], simplexRows(H, H, rand), true) },
    oracle: (v) => {
      const px = rows(v.probs_x!, H);
      const lik = bruteForce(TINY, H, (path, y) =>
        path.reduce((s, x, t) => {
          const logits = tonesGeneratorOracle(v, ARGS, x, t === 0 ? new Array<number>(D).fill(0) : y[t - 1]!);
          return s + logCat(px[t === 0 ? 0 : path[t - 1]!]!, x) + y[t]!.reduce((a, yd, d) => a + logBernLogits(yd, logits[d]!), 0);
        }, 0));
      return lik + transitionPriorOf(v.probs_x!, H);
    },
  };
}

/**
 * model_6: x[t] ~ P[x[t-2], x[t-1]] from x[-2] = x[-1] = 0, y[t, d] ~ Bernoulli(probs_y[x[t], d]); P is
 * the full table, or Raftery's P[i, j] = λ·probs_x1[j] + (1 − λ)·probs_x2[i]. Params only, no prior.
 */
function secondOrderHmm(raftery: boolean): Case {
  const H = 2;
  const rand = lcg(raftery ? 17 : 16);
  const params: Record<string, SiteValue> = raftery
    ? {
        probs_x1: site([H, H], simplexRows(H, H, rand), true),
        probs_x2: site([H, H], simplexRows(H, H, rand), true),
        mix_lambda: site([], [0.35]),
      }
    : { probs_x: site([H, H, H], simplexRows(H * H, H, rand), true) };
  params.probs_y = site([H, D], unit(H * D, rand));
  return {
    model: 6, args: { ...ARGS, raftery }, inst: TINY, includePrior: false, samples: {}, params,
    oracle: (v) => {
      const P = (i: number, j: number): number[] => {
        if (!raftery) return rows(v.probs_x!, H)[i * H + j]!;
        const lam = v.mix_lambda![0]!;
        return Array.from({ length: H }, (_, k) => lam * v.probs_x1![j * H + k]! + (1 - lam) * v.probs_x2![i * H + k]!);
      };
      const py = rows(v.probs_y!, D);
      return bruteForce(TINY, H, (path, y) =>
        path.reduce((s, x, t) => {
          const [i, j] = [t < 2 ? 0 : path[t - 2]!, t < 1 ? 0 : path[t - 1]!];
          return s + logCat(P(i, j), x) + y[t]!.reduce((a, yd, d) => a + logBern(yd, py[x]![d]!), 0);
        }, 0));
    },
  };
}

export const CASES: readonly [string, Case][] = [
  ["model_0 (one sequence at a time)", plainHmm(0, true)],
  ["model_1 (sequences plate, masked steps)", plainHmm(1, true)],
  ["model_1 without the prior (held-out evaluation)", plainHmm(1, false)],
  ["model_2 (autoregressive tones)", arHmm()],
  ["model_3 (factorial HMM)", factorialHmm(false)],
  ["model_4 (factorial HMM, x depends on w)", factorialHmm(true)],
  ["model_5 (neural emission)", neuralHmm(5)],
  ["model_6 (second order, full table)", secondOrderHmm(false)],
  ["model_6 (second order, Raftery)", secondOrderHmm(true)],
  ["model_7 (DiscreteHMM form of model_5)", neuralHmm(7)],
];
