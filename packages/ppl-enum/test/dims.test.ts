// Which dim each enumerated site gets, including markov recycling.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, markov, plate, range, sample, trace, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { configEnumerate, enumerate } from "ppl-enum";

const K = 3;
const pi = tf.ones([K]).div(K);
const A = tf.ones([K, K]).div(K);
const P3 = tf.ones([K, K, K]).div(K);
const en = { infer: { enumerate: "parallel" as const } };

function* seedLike() {
  yield* plate("seqs", 2, { dim: -1 }, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(4), function* (t) {
      z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", z!, ":")), en);
      yield* sample(`y_${t}`, dist.Normal(z.cast("float32"), 1), { obs: tf.zeros([2]) });
    });
  });
}

function* hmmNoPlate() {
  let z: tf.Tensor | undefined;
  yield* markov(range(4), function* (t) {
    z = yield* sample(`z_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", z!, ":")), en);
  });
}

function* history2() {
  const zs: tf.Tensor[] = [];
  yield* markov(range(5), function* (t) {
    const probs = t < 2 ? pi : vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":");
    zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), en));
  }, { history: 2 });
}

function* twoChains() {
  let w: tf.Tensor | undefined;
  let x: tf.Tensor | undefined;
  yield* markov(range(3), function* (t) {
    w = yield* sample(`w_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", w!, ":")), en);
    x = yield* sample(`x_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", x!, ":")), en);
  });
}

function* sequentialChains() {
  for (const name of ["a", "b"]) {
    let z: tf.Tensor | undefined;
    yield* markov(range(3), function* (t) {
      z = yield* sample(`${name}_${t}`, dist.Categorical(t === 0 ? pi : vindex(A, "...", z!, ":")), en);
    });
  }
}

function* globalAndLocal() {
  const z = yield* sample("z", dist.Categorical(pi), en);
  yield* plate("data", 4, function* () {
    const c = yield* sample("c", dist.Categorical(vindex(A, "...", z, ":")), en);
    yield* sample("x", dist.Normal(c.cast("float32"), 1), { obs: tf.zeros([4]) });
  });
}

function* unmarked() {
  const z = yield* sample("z", dist.Categorical(pi));
  yield* sample("w", dist.Categorical(vindex(A, "...", z, ":")));
  yield* sample("x", dist.Normal(0, 1));
}

const table: [string, Model<[]>, number, Record<string, number>][] = [
  ["seed HMM in a plate (maxPlateNesting 1)", seedLike, -2, { z_0: -2, z_1: -3, z_2: -2, z_3: -3 }],
  ["HMM without plates", hmmNoPlate, -1, { z_0: -1, z_1: -2, z_2: -1, z_3: -2 }],
  ["history 2", history2, -1, { z_0: -1, z_1: -2, z_2: -3, z_3: -1, z_4: -2 }],
  ["two chains in one markov", twoChains, -1, { w_0: -1, x_0: -2, w_1: -3, x_1: -4, w_2: -1, x_2: -2 }],
  ["two markov loops one after the other", sequentialChains, -1, { a_0: -1, a_1: -2, a_2: -1, b_0: -1, b_1: -2, b_2: -1 }],
  ["a global variable and a local one in a plate", globalAndLocal, -2, { z: -2, c: -3 }],
  ["configEnumerate marks only discrete unobserved sites", configEnumerate(unmarked), -1, { z: -1, w: -2 }],
];

describe("enumeration dims", () => {
  for (const [name, model, firstAvailableDim, expected] of table) {
    it(name, () => {
      tf.tidy(() => {
        const tr = trace(enumerate(model, { firstAvailableDim })).getTrace();
        const got: Record<string, number> = {};
        for (const site of tr.latentSites()) if (site.enumInfo?.kind === "parallel") got[site.name] = site.enumInfo.dim;
        expect(got).toEqual(expected);
        for (const site of tr.latentSites()) {
          if (site.enumInfo?.kind !== "parallel") continue;
          // the value is the support along exactly that dim
          const shape = site.value.shape;
          expect(shape.length).toBe(-site.enumInfo.dim);
          expect(shape[0]).toBe(K);
          expect(shape.slice(1).every((d) => d === 1)).toBe(true);
        }
      });
    });
  }

  it("ids are unique even where dims are reused", () => {
    tf.tidy(() => {
      const tr = trace(enumerate(hmmNoPlate, { firstAvailableDim: -1 })).getTrace();
      const ids = [...tr.latentSites()].map((s) => (s.enumInfo?.kind === "parallel" ? s.enumInfo.variable.id : -1));
      expect(new Set(ids).size).toBe(ids.length);
      // z_2 sees z_1 (its parent) and itself, not z_0 whose dim it reuses: the trace says so on the site
      const z2 = tr.sampleSite("z_2").enumScope!;
      expect([...z2.dimToVar].map(([d, v]) => [d, v.id]).sort()).toEqual([[-1, ids[2]], [-2, ids[1]]].sort());
    });
  });

  it("sites with a value (observed or replayed) are not enumerated", () => {
    tf.tidy(() => {
      function* m() {
        yield* sample("a", dist.Categorical(pi), { ...en, obs: tf.scalar(1, "int32") });
        yield* sample("b", dist.Categorical(pi), en);
      }
      const tr = trace(enumerate(m, { firstAvailableDim: -1 })).getTrace();
      expect(tr.sampleSite("a").enumInfo).toBeUndefined();
      expect(tr.sampleSite("b").enumInfo).toMatchObject({ kind: "parallel", dim: -1 });
    });
  });
});
