// block({ exposeFn }): Pyro's poutine.block(expose_fn=...), as hmm.py's guide uses it
// (expose_fn=lambda msg: msg["name"].startswith("probs_")), and the option conflicts Pyro refuses.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PPLConfigError, block, dist, param, sample, trace, type Msg } from "ppl-core";

function* model() {
  yield* param("w", tf.scalar(1));
  const px = yield* sample("probs_x", dist.Beta(2, 2));
  yield* sample("probs_y", dist.Beta(2, 2));
  const z = yield* sample("z", dist.Normal(px, 1));
  yield* sample("y", dist.Normal(z, 1), { obs: tf.scalar(0.3) });
}
const names = (m: () => Generator<Msg, unknown, unknown>) => [...trace(m).getTrace().nodes.keys()];

describe("block exposeFn", () => {
  it("exposes exactly the sites the function accepts (hmm.py's guide)", () => {
    expect(names(block(model, { exposeFn: (msg) => msg.name.startsWith("probs_") }))).toEqual(["probs_x", "probs_y"]);
    expect(names(block(model, { exposeFn: (msg) => msg.type === "param" }))).toEqual(["w"]);
    expect(names(block(model, { exposeFn: () => true }))).toEqual(["w", "probs_x", "probs_y", "z", "y"]);
  });

  it("is the complement of hideFn", () => {
    const fn = (msg: { name: string }) => msg.name.length > 1;
    expect(names(block(model, { hideFn: fn }))).toEqual(["w", "z", "y"]);
    expect(names(block(model, { exposeFn: fn }))).toEqual(["probs_x", "probs_y"]);
  });

  it("combines hide and expose lists that do not overlap", () => {
    expect(names(block(model, { expose: ["z", "y"], hideTypes: ["param"] }))).toEqual(["z", "y"]);
    expect(names(block(model, { hide: ["z"], exposeTypes: ["param"] }))).toEqual(["w"]);
  });

  it("refuses hideFn with exposeFn, a function with lists, and overlapping lists, naming the options", () => {
    const f = () => true;
    expect(() => block(model, { hideFn: f, exposeFn: f })).toThrow(PPLConfigError);
    expect(() => block(model, { hideFn: f, exposeFn: f })).toThrow(/block: give only one of hideFn or exposeFn/);
    expect(() => block(model, { exposeFn: f, expose: ["z"] })).toThrow(/exposeFn decides every site on its own, so it cannot be combined with expose/);
    expect(() => block(model, { hide: ["z", "y"], expose: ["y"] })).toThrow(/cannot both hide and expose site\(s\) 'y'/);
    expect(() => block(model, { hideTypes: ["param"], exposeTypes: ["param"] })).toThrow(/cannot both hide and expose type\(s\) param/);
  });

  it("refuses a non-function exposeFn, listing the valid options", () => {
    expect(() => block(model, { exposeFn: "probs_" } as never)).toThrow(/block: invalid options: exposeFn: a function \(msg\) => boolean.*valid options are .*exposeFn/);
  });
});
