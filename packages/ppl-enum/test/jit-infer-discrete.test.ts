// JitInferDiscrete: the compiled MAP decode. Every call's decoded values (recorded or replayed, with new
// observations, new globals and moved params) against an independent float64 truth: the hand-written Viterbi
// (helpers.ts) for one chain, the brute-force arg max over every joint path for two chains; and its guards:
// another shape records again, a model a replay could get wrong runs interpreted with one message.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PPLConfigError, clearParamStore, dist, getParamStore, markov, param, plate, range, sample, vectorizedMarkov, vindex } from "ppl-core";
import { JitInferDiscrete } from "ppl-enum";
import { assignments, hmmBody, logSumExp, normalLogPdf, viterbi, type HMMParams } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };

/** Deterministic observations around the states' means (a sine-hashed jitter, so no two paths tie). */
function observations(S: number, T: number, seed: number, locs: readonly number[]): number[][] {
  return Array.from({ length: S }, (_, s) => Array.from({ length: T }, (_, t) => {
    const u = Math.sin(12.9898 * (t + 1) + 78.233 * (s + 1) + 37.719 * seed) * 43758.5453;
    const k = Math.floor(Math.abs(Math.sin(0.37 * t + seed + s)) * locs.length) % locs.length;
    return locs[k]! + (u - Math.floor(u) - 0.5) * 1.6;
  }));
}

function globals(p: HMMParams): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor] {
  return [tf.tensor1d(p.pi), tf.tensor2d(p.A), tf.tensor1d(p.locs), tf.tensor1d(p.scales)];
}

/** The paths of a [T, S]-stacked decode: one row per sequence. */
function paths(values: Map<string, tf.Tensor>, names: readonly string[], S: number): number[][] {
  const zs = tf.tidy(() => tf.stack(names.map((n) => values.get(n)!)).dataSync());
  return Array.from({ length: S }, (_, s) => names.map((_, t) => zs[t * S + s]!));
}

const zNames = (T: number) => Array.from({ length: T }, (_, t) => `z_${t}`);

const P0: HMMParams = { pi: [0.5, 0.3, 0.2], A: [[0.8, 0.1, 0.1], [0.15, 0.7, 0.15], [0.2, 0.2, 0.6]], locs: [0, 2.5, 5], scales: [0.9, 1.1, 0.8] };
/** Another setting of the same globals: the replay must read them, not keep the recorded ones. */
const P1: HMMParams = { pi: [0.2, 0.2, 0.6], A: [[0.4, 0.3, 0.3], [0.3, 0.4, 0.3], [0.1, 0.1, 0.8]], locs: [1, 2, 6], scales: [1.5, 0.7, 1.2] };

afterEach(() => {
  vi.restoreAllMocks();
  clearParamStore();
});

describe("JitInferDiscrete on a markov loop", () => {
  it("records once, and every replay with new observations and new globals gives each sequence's float64 Viterbi path", () => {
    const S = 2;
    const T = 40;
    const decoder = new JitInferDiscrete(hmmBody, { temperature: 0, firstAvailableDim: -2 });
    for (let call = 0; call < 5; call++) {
      const p = call % 2 === 0 ? P0 : P1;
      const ys = observations(S, T, call, p.locs);
      const got = tf.tidy(() => paths(decoder.decode(tf.tensor2d(ys), ...globals(p)), zNames(T), S));
      expect(got, `call ${call}`).toEqual(ys.map((y) => viterbi(y, p)));
    }
    expect(decoder.compileStats).toEqual({ recorded: 1, replayed: 4, interpreted: 0 });
    decoder.dispose();
  });

  it("keeps the same globals' tensors between calls: new observations, then the very same tensors again, then new globals", () => {
    const S = 2;
    const T = 30;
    const decoder = new JitInferDiscrete(hmmBody, { temperature: 0, firstAvailableDim: -2 });
    const g0 = globals(P0);
    const g1 = globals(P1);
    const ys = [0, 1, 2].map((call) => tf.tensor2d(observations(S, T, call, P0.locs)));
    // call 2 repeats call 1's tensors (its kept result must survive the first call's disposal); call 3 has P1's globals
    const calls: [tf.Tensor2D, ReturnType<typeof globals>, HMMParams][] = [[ys[0]!, g0, P0], [ys[1]!, g0, P0], [ys[1]!, g0, P0], [ys[2]!, g0, P0], [ys[2]!, g1, P1]];
    calls.forEach(([y, g, p], call) => {
      const want = (y.arraySync() as number[][]).map((row) => viterbi(row, p));
      const values = decoder.decode(y, ...g);
      expect(paths(values, zNames(T), S), `call ${call}`).toEqual(want);
      tf.dispose([...values.values()]);
    });
    expect(decoder.compileStats).toEqual({ recorded: 1, replayed: 4, interpreted: 0 });
    decoder.dispose();
    tf.dispose([...g0, ...g1, ...ys]);
  });

  it("gives each decoded site its plates' shape and the support's dtype", () => {
    const decoder = new JitInferDiscrete(hmmBody, { temperature: 0, firstAvailableDim: -2 });
    for (let call = 0; call < 2; call++) {
      tf.tidy(() => {
        const values = decoder.decode(tf.tensor2d(observations(3, 4, call, P0.locs)), ...globals(P0));
        expect([...values.keys()]).toEqual(zNames(4));
        for (const v of values.values()) {
          expect(v.shape).toEqual([3]);
          expect(v.dtype).toBe("int32");
        }
      });
    }
    expect(decoder.compileStats.replayed).toBe(1);
  });

  it("replays with the ParamStore's moved params (logits as params): the Viterbi path at their values", () => {
    const T = 12;
    function* model(obs: tf.Tensor1D) {
      const init = yield* param("init_logits", () => tf.tensor1d([0.1, -0.2, 0.3]));
      const trans = yield* param("trans_logits", () => tf.tensor2d([[1, 0, -1], [0, 1, 0], [-1, 0, 1]]));
      const locs = yield* param("locs", () => tf.tensor1d([0, 2, 4]));
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical({ logits: t === 0 ? init : vindex(trans, "...", z!, ":") }), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: obs.slice(t, 1).reshape([]) });
      });
    }
    const decoder = new JitInferDiscrete(model, { temperature: 0, firstAvailableDim: -1 });
    for (let call = 0; call < 5; call++) {
      const store = getParamStore();
      if (call >= 2) {
        for (const v of store.variables().values()) v.assign(tf.tidy(() => v.add(tf.sin(tf.range(0, v.size).reshape(v.shape).add(call)).mul(0.8))));
      }
      const y = observations(1, T, call, [0, 2, 4])[0]!;
      const got = tf.tidy(() => {
        const values = decoder.decode(tf.tensor1d(y));
        return zNames(T).map((n) => values.get(n)!.dataSync()[0]!);
      });
      const read = (name: string) => store.get(name)!.arraySync() as number[] & number[][];
      const lsm = (xs: number[]) => xs.map((x) => Math.exp(x - logSumExp(xs)));
      const p: HMMParams = { pi: lsm(read("init_logits")), A: read("trans_logits").map(lsm), locs: read("locs"), scales: [1, 1, 1] };
      expect(got, `call ${call}`).toEqual(viterbi(y, p));
    }
    // the first call made the params (not kept), the second recorded, the rest replayed
    expect(decoder.compileStats).toEqual({ recorded: 1, replayed: 3, interpreted: 0 });
  });

  it("decodes the vectorizedMarkov form (z_0 and z_1:T along dim -2) to the Viterbi path, replayed", () => {
    const T = 30;
    function* model(obs: tf.Tensor2D, pi: tf.Tensor, A: tf.Tensor, locs: tf.Tensor, scales: tf.Tensor) {
      yield* plate("seqs", obs.shape[0], { dim: -1 }, function* (seqs) {
        let z: tf.Tensor | undefined;
        yield* vectorizedMarkov("time", T, { dim: -2 }, function* (t, i) {
          z = yield* sample(`z_${t}`, dist.Categorical(z === undefined ? pi : vindex(A, "...", z, ":")), en);
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), vindex(scales, "...", z)), { obs: vindex(obs, seqs, i) });
        });
      });
    }
    const decoder = new JitInferDiscrete(model, { temperature: 0, firstAvailableDim: -3 });
    for (let call = 0; call < 3; call++) {
      const ys = observations(2, T, 10 + call, P0.locs);
      const got = tf.tidy(() => {
        const values = decoder.decode(tf.tensor2d(ys), ...globals(P0));
        const rest = values.get(`z_1:${T}`)!.arraySync() as number[][]; // [T-1, S]
        const first = values.get("z_0")!.arraySync() as number[];
        return ys.map((_, s) => [first[s]!, ...rest.map((row) => row[s]!)]);
      });
      expect(got, `call ${call}`).toEqual(ys.map((y) => viterbi(y, P0)));
    }
    expect(decoder.compileStats).toEqual({ recorded: 1, replayed: 2, interpreted: 0 });
  });
});

describe("JitInferDiscrete on two chains meeting in one emission (a factorial HMM)", () => {
  const T = 4;
  const SIZES = [2, 3];
  const trans0 = [[0.7, 0.3], [0.4, 0.6]];
  const trans1 = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]];
  const locs0 = [0, 1.5];
  const locs1 = [0, 1, 2.2];

  function* factorial(obs: tf.Tensor2D) {
    const A0 = tf.tensor2d(trans0);
    const A1 = tf.tensor2d(trans1);
    const l0 = tf.tensor1d(locs0);
    const l1 = tf.tensor1d(locs1);
    const columns = tf.unstack(obs, 1);
    yield* plate("seqs", obs.shape[0], function* () {
      let a: tf.Tensor | undefined;
      let b: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        a = yield* sample(`a_${t}`, dist.Categorical(t === 0 ? tf.tensor1d([0.5, 0.5]) : vindex(A0, "...", a!, ":")), en);
        b = yield* sample(`b_${t}`, dist.Categorical(t === 0 ? tf.tensor1d([0.2, 0.3, 0.5]) : vindex(A1, "...", b!, ":")), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(l0, "...", a).add(vindex(l1, "...", b)), 0.6), { obs: columns[t]! });
      });
    });
  }

  /** The float64 arg max over all (2·3)^T joint paths of one sequence: [a_0..a_{T-1}, b_0..b_{T-1}]. */
  function bruteForceMap(y: readonly number[]): number[] {
    let best = -Infinity;
    let arg: number[] = [];
    for (const path of assignments([...new Array<number>(T).fill(SIZES[0]!), ...new Array<number>(T).fill(SIZES[1]!)])) {
      const a = path.slice(0, T);
      const b = path.slice(T);
      let lp = 0;
      for (let t = 0; t < T; t++) {
        lp += t === 0 ? Math.log([0.5, 0.5][a[0]!]!) + Math.log([0.2, 0.3, 0.5][b[0]!]!) : Math.log(trans0[a[t - 1]!]![a[t]!]!) + Math.log(trans1[b[t - 1]!]![b[t]!]!);
        lp += normalLogPdf(y[t]!, locs0[a[t]!]! + locs1[b[t]!]!, 0.6);
      }
      if (lp > best) [best, arg] = [lp, path];
    }
    return arg;
  }

  it("every replay with new observations gives each sequence's brute-force MAP of both chains", () => {
    const decoder = new JitInferDiscrete(factorial, { temperature: 0, firstAvailableDim: -2 });
    for (let call = 0; call < 4; call++) {
      const ys = observations(3, T, 20 + call, [0, 1, 2.2, 3.7]);
      const got = tf.tidy(() => {
        const values = decoder.decode(tf.tensor2d(ys));
        const names = [...Array.from({ length: T }, (_, t) => `a_${t}`), ...Array.from({ length: T }, (_, t) => `b_${t}`)];
        return paths(values, names, ys.length);
      });
      expect(got, `call ${call}`).toEqual(ys.map(bruteForceMap));
    }
    expect(decoder.compileStats).toEqual({ recorded: 1, replayed: 3, interpreted: 0 });
  });
});

describe("JitInferDiscrete's guards", () => {
  it("records again for another shape, and replays each shape's program after", () => {
    const decoder = new JitInferDiscrete(hmmBody, { temperature: 0, firstAvailableDim: -2 });
    for (const [call, T] of [20, 20, 9, 20, 9].entries()) {
      const ys = observations(2, T, 30 + call, P0.locs);
      const got = tf.tidy(() => paths(decoder.decode(tf.tensor2d(ys), ...globals(P0)), zNames(T), 2));
      expect(got, `call ${call} (T = ${T})`).toEqual(ys.map((y) => viterbi(y, P0)));
    }
    expect(decoder.compileStats).toEqual({ recorded: 2, replayed: 3, interpreted: 0 });
  });

  it("runs a model that reads a param-dependent value in JS interpreted, with one message, and decodes it right", () => {
    const T = 8;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* model(obs: tf.Tensor1D) {
      const locs = yield* param("locs", () => tf.tensor1d([0, 2.5, 5]));
      // a value read in JS that steers the model: a replay could not follow it
      const spread = locs.max().sub(locs.min()).dataSync()[0]!;
      let z: tf.Tensor | undefined;
      yield* markov(range(T), function* (t) {
        z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? tf.tensor1d(P0.pi) : vindex(tf.tensor2d(P0.A), "...", z!, ":")), en);
        yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), spread / 5), { obs: obs.slice(t, 1).reshape([]) });
      });
    }
    const decoder = new JitInferDiscrete(model, { temperature: 0, firstAvailableDim: -1 });
    for (let call = 0; call < 5; call++) {
      const y = observations(1, T, 40 + call, P0.locs)[0]!;
      const got = tf.tidy(() => {
        const values = decoder.decode(tf.tensor1d(y));
        return zNames(T).map((n) => values.get(n)!.dataSync()[0]!);
      });
      expect(got, `call ${call}`).toEqual(viterbi(y, { ...P0, scales: [1, 1, 1] }));
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^ppl: JitInferDiscrete runs this decode interpreted \(not compiled\): the model or guide read a value that depends on a param/);
    // the first call made the param; the next two recordings were refused (a first refusal is retried), then interpreted
    expect(decoder.compileStats).toEqual({ recorded: 0, replayed: 0, interpreted: 4 });
  });

  it("refuses temperature 1 (a draw cannot be replayed) with a PPLConfigError naming the option", () => {
    const make = () => new JitInferDiscrete(hmmBody, { temperature: 1 } as never);
    expect(make).toThrow(PPLConfigError);
    expect(make).toThrow(/JitInferDiscrete: invalid options: temperature/);
  });
});
