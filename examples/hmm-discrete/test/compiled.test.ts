// The example's default learning runs the compiled ELBO (docs/compiled.md): its steps replay the recorded
// program, print no fall-back message, and a replayed step's loss is −log p(y, θ) by the float64 forward
// algorithm (test/oracle.ts) at the params it was evaluated at. Two runs from the same seed make the same
// steps, so the params after n steps of one are the params step n + 1 of the other was evaluated at.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { learn } from "../src/learn.js";
import { SYMBOLS, TRUTHS, generate } from "../src/truth.js";
import { negLogJoint } from "./oracle.js";

const V = SYMBOLS.length;

afterEach(() => vi.restoreAllMocks());

describe("hmm-discrete learns with JitTraceEnumELBO by default", () => {
  it("6 steps replay; step 6's replayed loss equals the float64 oracle at the params after 5 steps (1e-5 relative)", () => {
    const warn = vi.spyOn(console, "warn");
    const { obs } = generate(6, 12, 5, TRUTHS[3].params);
    const data = tf.tensor2d(obs, [6, 12], "int32");
    const five = learn(data, 3, V, { steps: 5, lr: 0.1, seed: 2 });
    const six = learn(data, 3, V, { steps: 6, lr: 0.1, seed: 2 });
    data.dispose();
    // step 1 created the params (its second call recorded), steps 2–6 replayed; the final evaluateLoss
    // (SVI's own model and guide, without its param capture: another pair) recorded its own
    expect(six.compileStats).toEqual({ recorded: 2, replayed: 5, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    const expected = negLogJoint(obs, five.params);
    expect(Math.abs(six.losses[5]! - expected) / expected).toBeLessThan(1e-5);
    // the params moved: step 6 is not evaluated at the starting point
    expect(Math.abs(six.losses[5]! - six.losses[0]!)).toBeGreaterThan(0.5);
  });

  it("gives the interpreted TraceEnumELBO's params to float32 round-off", () => {
    const { obs } = generate(6, 12, 5, TRUTHS[3].params);
    const data = tf.tensor2d(obs, [6, 12], "int32");
    const compiled = learn(data, 3, V, { steps: 8, lr: 0.1, seed: 2 });
    const plain = learn(data, 3, V, { steps: 8, lr: 0.1, seed: 2, compiled: false });
    data.dispose();
    expect(plain.compileStats).toBeUndefined();
    const flat = (p: typeof plain.params) => [...p.probsInit, ...p.probsTrans.flat(), ...p.probsEmit.flat()];
    const want = flat(plain.params);
    flat(compiled.params).forEach((x, i) => expect(Math.abs(x - want[i]!), `param ${i}`).toBeLessThan(1e-5));
  });
});
