// Memory: tfjs never garbage-collects tensors, so every SVI step must dispose
// what it made. The live-tensor count and bytes after N steps equal those
// after the first step (which creates the params and optimiser moments), and
// an error thrown mid-step leaks nothing either.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import {
  Adam, ClippedAdam, PPLModelError, PPLNumericalError, PPLShapeError, SVI, TraceELBO, block, clearParamStore, dist,
  markov, param, plate, range, sample, setRngSeed, vindex,
} from "ppl-core";
import type { ELBO, Model } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { vectorizedModel } from "../../../examples/hmm-gaussian/src/model-vectorized.js";
import { GLOBAL_SITES, model as markovModel } from "../../../examples/hmm-gaussian/src/model.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const seedData = JSON.parse(readFileSync(join(root, "data", "seed_train_S30_T120_seed1.json"), "utf8")) as { obs: number[][] };

const live = () => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes });

afterEach(() => clearParamStore());

describe("no leaks over many SVI steps", () => {
  it("2000 steps of the time-vectorised seed model (TraceELBO + AutoDelta) keep tensors and bytes constant", () => {
    clearParamStore();
    setRngSeed(1);
    const obs = tf.tensor2d(seedData.obs);
    const guide = new AutoDelta(block(vectorizedModel, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
    const svi = new SVI(vectorizedModel, guide, new Adam({ lr: 0.05 }), new TraceELBO());
    const first = svi.step(obs, 3);
    const after1 = live();
    const counts: number[] = [];
    let last = first;
    const t0 = performance.now();
    for (let i = 1; i < 2000; i++) {
      last = svi.step(obs, 3);
      if (i % 250 === 0) counts.push(tf.memory().numTensors);
    }
    const perStep = (performance.now() - t0) / 1999;
    console.log(`[memory] vectorised seed model: ${perStep.toFixed(1)} ms/step; loss ${first.toFixed(1)} -> ${last.toFixed(1)}`);
    expect(counts.every((c) => c === after1.tensors)).toBe(true);
    expect(live()).toEqual(after1);
    expect(last).toBeLessThan(first); // it really trained
    svi.optim.reset();
    clearParamStore();
    obs.dispose();
  });

  it("30 steps of the markov-loop seed model (TraceEnumELBO + AutoDelta) keep tensors and bytes constant", () => {
    clearParamStore();
    setRngSeed(1);
    const obs = tf.tensor2d(seedData.obs);
    const guide = new AutoDelta(block(markovModel, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
    const svi = new SVI(markovModel, guide, new Adam({ lr: 0.05 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
    svi.step(obs, 3);
    const after1 = live();
    for (let i = 1; i < 30; i++) svi.step(obs, 3);
    expect(live()).toEqual(after1);
    svi.optim.reset();
    clearParamStore();
    obs.dispose();
  });
});

describe("an error thrown mid-step leaks nothing", () => {
  const ys = tf.tensor2d([[0.1, 1.4, 2.9, 0.2], [3.1, 2.2, 1.0, 1.7]]);

  /** The tutorial's HMM in small; `failOn(call)` decides whether this call of the model throws, and how. */
  function hmm(failOn: (call: number) => (() => never) | undefined): Model<[]> {
    let calls = 0;
    return function* () {
      calls++;
      const locs = yield* sample("locs", dist.Normal(0, 3).expand([2]).toEvent(1));
      const trans = yield* param("trans", tf.tensor2d([[0.7, 0.3], [0.2, 0.8]]));
      const probs = trans.softmax();
      yield* plate("seqs", 2, { dim: -1 }, function* () {
        let z: tf.Tensor | undefined;
        yield* markov(range(4), function* (t) {
          const p = t === 0 ? tf.tensor1d([0.5, 0.5]) : vindex(probs, "...", z!, ":");
          z = yield* sample(`z_${t}`, dist.Categorical(p), { infer: { enumerate: "parallel" } });
          if (t === 2) failOn(calls)?.();
          yield* sample(`y_${t}`, dist.Normal(vindex(locs, "...", z), 1), { obs: ys.slice([0, t], [2, 1]).reshape([2]) });
        });
      });
    };
  }
  function* guide() {
    const loc = yield* param("loc", tf.tensor1d([0.5, 2.0]));
    yield* sample("locs", dist.Normal(loc, 0.1).toEvent(1));
  }

  const throwPlain = () => {
    throw new Error("user code failed");
  };

  const cases: [string, () => ELBO, (call: number) => (() => never) | undefined, new (...a: never[]) => Error][] = [
    ["a model that throws on its 5th call (TraceEnumELBO)", () => new TraceEnumELBO({ maxPlateNesting: 1 }), (c) => (c === 5 ? throwPlain : undefined), Error],
    ["a model that throws on every call from the 5th (TraceELBO, guide sampling z)", () => new TraceELBO(), (c) => (c >= 5 ? throwPlain : undefined), Error],
  ];

  for (const [what, makeElbo, failOn, cls] of cases) {
    it(what, () => {
      clearParamStore();
      setRngSeed(5);
      const elbo = makeElbo();
      const m = hmm(failOn);
      // under TraceELBO the z's need a guide: enumerate-free variant samples them in the guide
      const g: Model<[]> = elbo instanceof TraceELBO
        ? function* () {
          yield* guide();
          yield* plate("seqs", 2, { dim: -1 }, function* () {
            yield* markov(range(4), function* (t) {
              yield* sample(`z_${t}`, dist.Categorical(tf.tensor1d([0.5, 0.5])), { infer: { enumerate: "parallel" } });
            });
          });
        }
        : guide;
      const svi = new SVI(m, g, new ClippedAdam({ lr: 0.01 }), elbo);
      svi.step(); // calls 1 and 2 (the first step runs twice: it creates the params)
      svi.step(); // call 3
      const before = live();
      svi.step(); // call 4
      expect(live()).toEqual(before);
      expect(() => svi.step()).toThrow(cls); // call 5
      expect(live()).toEqual(before);
      for (let i = 0; i < 3; i++) {
        try {
          svi.step();
        } catch {
          // the "every call" case keeps throwing
        }
      }
      expect(live()).toEqual(before);
      svi.optim.reset();
    });
  }

  it("errors raised by ppl itself mid-step: a shape error, a markov leak, a non-finite loss", () => {
    clearParamStore();
    const base = live();
    // a shape error in the 3rd step
    let n = 0;
    function* shapeModel() {
      n++;
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("y", dist.Normal(loc, 1), { obs: n >= 3 ? tf.zeros([4]) : tf.zeros([]) });
    }
    function* empty() {}
    const svi1 = new SVI(shapeModel, empty, new Adam({ lr: 0.1 }), new TraceELBO());
    svi1.step();
    const after1 = live();
    expect(() => svi1.step()).toThrow(PPLShapeError);
    expect(() => svi1.step()).toThrow(PPLShapeError);
    expect(live()).toEqual(after1);
    svi1.optim.reset();
    clearParamStore();
    // a markov leak on the 4th call under TraceEnumELBO
    let k = 0;
    function* leaky() {
      k++;
      const w = yield* param("w", tf.tensor1d([0.5, 0.5]), {});
      const P3 = tf.fill([2, 2, 2], 0.5);
      const zs: tf.Tensor[] = [];
      yield* markov(range(4), function* (t) {
        const probs = t < 2 || k < 4 ? w.softmax() : vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":");
        zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } }));
      });
    }
    const svi2 = new SVI(leaky, empty, new Adam({ lr: 0.1 }), new TraceEnumELBO({ maxPlateNesting: 0 }));
    svi2.step();
    svi2.step();
    const after2 = live();
    expect(() => svi2.step()).toThrow(PPLModelError);
    expect(live()).toEqual(after2);
    svi2.optim.reset();
    clearParamStore();
    // a non-finite loss (diagnosed, which runs the model and guide again)
    function* infModel() {
      const loc = yield* param("loc", tf.scalar(0));
      yield* sample("x", dist.Normal(loc, 1), { obs: 1e30 });
    }
    const svi3 = new SVI(infModel, empty, new Adam({ lr: 0.1 }), new TraceELBO());
    expect(() => svi3.step()).toThrow(PPLNumericalError);
    const after3 = live();
    expect(() => svi3.step()).toThrow(PPLNumericalError);
    expect(live()).toEqual(after3);
    svi3.optim.reset();
    clearParamStore();
    expect(live()).toEqual(base);
  });
});
