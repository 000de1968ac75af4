// train() runs the compiled ELBO on a full batch (docs/compiled.md): its steps replay the recorded program,
// print no fall-back message, and every replayed step's loss is the float64 brute-force −log p(y, θ) of
// test/cases.ts at the params the step was evaluated at (the params after the step before, read from the
// store in onStep). The models run with args.jit there, as under hmm.py's --jit: the loop runs to the padded
// length, so a subsampled run replays too (its draw an input of the program); without args.jit the loop runs
// as long as the drawn batch's longest sequence, read in JS, which the compiled loss refuses (checked below).
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearParamStore, getParamStore, setRngSeed } from "ppl-core";
import { JitTraceEnumELBO } from "ppl-enum";
import { MODELS, maxPlateNesting } from "../src/models/index.js";
import { makeGuide, train } from "../src/train.js";
import { plainHmm } from "./cases.js";
import { TINY } from "./oracle.js";

afterEach(() => vi.restoreAllMocks());

/** The probs_* values AutoDelta holds now, by site name (its params are named "<guide prefix>.<site>"). */
function probsNow(): Record<string, number[]> {
  const store = getParamStore();
  const out: Record<string, number[]> = {};
  for (const name of store.names()) {
    const site = name.slice(name.lastIndexOf(".") + 1);
    if (site.startsWith("probs_")) out[site] = Array.from(tf.tidy(() => store.get(name).dataSync()));
  }
  return out;
}

describe("train() with JitTraceEnumELBO (model_1 on the tiny instance)", () => {
  const c = plainHmm(1, true);
  const n = c.inst.lengths.reduce((a, b) => a + b, 0);

  it("steps 2–6 replay, and each replayed loss equals the float64 oracle at its params (1e-5 relative)", () => {
    const warn = vi.spyOn(console, "warn");
    const data = { sequences: tf.tensor3d(c.inst.sequences), lengths: tf.tensor1d(c.inst.lengths, "int32") };
    const after: Record<string, number[]>[] = [];
    const r = train(data, data, { model: 1, args: c.args, steps: 6, lr: 0.05, seed: 0, onStep: () => after.push(probsNow()) });
    tf.dispose([data.sequences, data.lengths]);
    // step 1 created the params (its second call recorded), steps 2–6 replayed; the train score (other
    // arguments) recorded, and the test score (the same data here) replayed it
    expect(r.compileStats).toEqual({ recorded: 2, replayed: 6, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    expect(Object.keys(after[0]!).sort()).toEqual(["probs_x", "probs_y"]);
    for (let k = 1; k < 6; k++) {
      const truth = -c.oracle(after[k - 1]!);
      expect(Math.abs(r.losses[k]! * n - truth) / Math.abs(truth), `step ${k + 1}`).toBeLessThan(1e-5);
    }
    expect(Math.abs(r.losses[5]! - r.losses[0]!)).toBeGreaterThan(1e-3);
  });

  it("gives the interpreted ELBO's losses to float32 round-off", () => {
    const data = { sequences: tf.tensor3d(c.inst.sequences), lengths: tf.tensor1d(c.inst.lengths, "int32") };
    const compiled = train(data, data, { model: 1, args: c.args, steps: 6, lr: 0.05, seed: 0 });
    const plain = train(data, data, { model: 1, args: c.args, steps: 6, lr: 0.05, seed: 0, compiled: false });
    tf.dispose([data.sequences, data.lengths]);
    expect(plain.compileStats).toBeUndefined();
    compiled.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i]!) / Math.abs(plain.losses[i]!), `step ${i + 1}`).toBeLessThan(1e-5));
  });

  it("a subsampled run replays: 2 of 3 equal sequences drawn each step (scaled by 3/2) give the full-batch float64 oracle", () => {
    // three copies of TINY's short sequence (length 2, padded to 3): whichever two a step draws, scaled by 3/2 they
    // score as the three do; with args.jit the loop runs all 3 padded steps, the third masked
    const short = TINY.sequences[1]!;
    const twins = { ...TINY, sequences: [short, short, short], lengths: [2, 2, 2] };
    const t = plainHmm(1, true, twins);
    const data = { sequences: tf.tensor3d(twins.sequences), lengths: tf.tensor1d(twins.lengths, "int32") };
    const warn = vi.spyOn(console, "warn");
    const after: Record<string, number[]>[] = [];
    const r = train(data, data, { model: 1, args: { ...t.args, batchSize: 2 }, steps: 6, lr: 0.05, seed: 0, onStep: () => after.push(probsNow()) });
    tf.dispose([data.sequences, data.lengths]);
    expect(r.compileStats).toEqual({ recorded: 2, replayed: 6, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    for (let k = 1; k < 6; k++) {
      const truth = -t.oracle(after[k - 1]!);
      expect(Math.abs(r.losses[k]! * 6 - truth) / Math.abs(truth), `step ${k + 1}`).toBeLessThan(1e-5);
    }
  });

  it("compiled without args.jit, a subsampled run falls back with a message: the loop's length is read from the drawn batch", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const sequences = tf.tensor3d(c.inst.sequences);
    const lengths = tf.tensor1d(c.inst.lengths, "int32");
    clearParamStore();
    setRngSeed(0);
    const elbo = new JitTraceEnumELBO({ maxPlateNesting: maxPlateNesting(1) });
    const guide = makeGuide(1);
    const args = { ...c.args, batchSize: 1 };
    for (let i = 0; i < 3; i++) elbo.loss(MODELS[1], guide, sequences, lengths, args, true);
    tf.dispose([sequences, lengths]);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/runs this loss interpreted.*read a value that depends on a draw/);
  });
});
