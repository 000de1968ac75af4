import { PPLConfigError } from "../errors.js";
import { withHandler } from "../runtime/handler.js";
import type { Model } from "../runtime/messages.js";
import { hashSeed } from "../rng.js";

/**
 * Make every draw inside reproducible: site n of a run gets the seed
 * hash(rngSeed, name, n). The innermost `seed` wins.
 */
export function seed<A extends unknown[], R>(model: Model<A, R>, rngSeed: number): Model<A, R> {
  if (!Number.isInteger(rngSeed)) {
    throw new PPLConfigError(`seed: rngSeed must be an integer, got ${rngSeed}`, { expected: "integer", actual: String(rngSeed) });
  }
  return withHandler(model, () => {
    let count = 0;
    return {
      process(msg) {
        if (msg.type === "sample" && msg.seed === undefined) msg.seed = hashSeed(rngSeed, msg.name, count++);
      },
    };
  });
}
