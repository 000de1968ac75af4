// Structural checks and option parsing: each mistake gives an error naming the site, dim or plate, and a fix.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, PPLModelError, PPLResourceError, PPLShapeError, dist, markov, plate, range, sample, trace, vindex } from "ppl-core";
import type { Model } from "ppl-core";
import { TraceEnumELBO, enumerate, inferDiscrete } from "ppl-enum";
import { errorOf } from "./helpers.js";

const en = { infer: { enumerate: "parallel" as const } };
function* emptyGuide() {}
const lossOf = (model: Model<[]>, maxPlateNesting?: number) =>
  new TraceEnumELBO(maxPlateNesting === undefined ? {} : { maxPlateNesting }).loss(model, emptyGuide);

describe("enumeration errors", () => {
  it("a variable used after it left the markov window names both sites, the dim and the history", () => {
    const P3 = tf.ones([2, 2, 2]).div(2);
    function* model() {
      const zs: tf.Tensor[] = [];
      yield* markov(range(4), function* (t) {
        const probs = t < 2 ? tf.tensor1d([0.5, 0.5]) : vindex(P3, "...", zs[t - 2]!, zs[t - 1]!, ":");
        zs.push(yield* sample(`z_${t}`, dist.Categorical(probs), en));
      }); // history 1, but z_t uses z_{t-2}
    }
    const err = errorOf(() => trace(enumerate(model, { firstAvailableDim: -1 })).getTrace());
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("site 'z_2' (enumerated at dim -1, markov step 2");
    expect(err.message).toContain("depends on 'z_0'");
    expect(err.message).toContain("history 1");
    expect(err.message).toContain("history: 2");
    expect(() => tf.tidy(() => {
      trace(enumerate(model, { firstAvailableDim: -1 })).getTrace();
    })).toThrow(/left the markov window/);
  });

  it("a log-prob dim that is neither a plate nor an enumerated variable is a shape error with the shape table", () => {
    function* model() {
      const z = yield* sample("z", dist.Categorical([0.5, 0.5]), en);
      yield* sample("x", dist.Normal(tf.zeros([3]).add(z.cast("float32")), 1), { obs: tf.zeros([3]) });
    }
    const err = errorOf(() => lossOf(model, 1));
    expect(err).toBeInstanceOf(PPLShapeError);
    expect(err.message).toContain("at site 'x'");
    expect(err.message).toContain("dim -1 has size 3");
    expect(err.message).toContain("z@-2 (size 2)");
    expect(err.message).toContain("Trace shapes:");
    expect(err.message).toMatch(/Site\s+Kind\s+Dist/);
  });

  it("a given maxPlateNesting that is too small names the plate and the needed value", () => {
    function* model() {
      yield* plate("groups", 2, { dim: -2 }, function* () {
        yield* sample("z", dist.Categorical([0.5, 0.5]), en);
      });
    }
    const err = errorOf(() => lossOf(model, 1));
    expect(err).toBeInstanceOf(PPLConfigError);
    expect(err.message).toContain("plate 'groups' uses dim -2");
    expect(err.message).toContain("maxPlateNesting to at least 2");
    expect(() => lossOf(model)).not.toThrow();
  });

  it("a model-only latent site that is not enumerated", () => {
    function* model() {
      yield* sample("z", dist.Categorical([0.5, 0.5]));
    }
    const err = errorOf(() => lossOf(model, 0));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("model site 'z' is latent but the guide does not sample it");
  });

  it("enumerating a continuous site", () => {
    function* model() {
      yield* sample("x", dist.Normal(0, 1), en);
    }
    const err = errorOf(() => lossOf(model, 0));
    expect(err).toBeInstanceOf(PPLModelError);
    expect(err.message).toContain("site 'x' is marked infer.enumerate");
  });

  it("seven 20-valued variables coupled pairwise: the contraction's 20^7-element factor is refused before it is made", () => {
    function* model() {
      const z: tf.Tensor[] = [];
      for (let i = 0; i < 7; i++) z.push(yield* sample(`z${i}`, dist.Categorical(tf.ones([20]).div(20)), en));
      for (let i = 0; i < 7; i++) {
        for (let j = i + 1; j < 7; j++) yield* sample(`y${i}${j}`, dist.Normal(z[i]!.add(z[j]!).cast("float32"), 1), { obs: tf.scalar(0) });
      }
    }
    const err = errorOf(() => lossOf(model, 0));
    expect(err).toBeInstanceOf(PPLResourceError);
    expect(err.message).toMatch(/^the contraction: eliminating 'z\d' from a factor over .*1,280,000,000 elements/);
  });

  it("options are parsed: unknown keys list the valid ones; temperature must be 0 or 1", () => {
    expect(() => new TraceEnumELBO({ maxPlateNestin: 1 } as never)).toThrow(/valid options are numParticles, vectorizeParticles, maxPlateNesting, fuseChains/);
    expect(() => new TraceEnumELBO({ maxPlateNesting: -1 })).toThrow(PPLConfigError);
    expect(() => inferDiscrete(emptyGuide, { temperature: 0.5 as never })).toThrow(/valid options are firstAvailableDim, temperature, seed/);
    expect(() => enumerate(emptyGuide, { firstAvailableDim: 1 })).toThrow(PPLConfigError);
  });
});
