/**
 * Effects, handlers, traces, distributions, constraints, params, SVI,
 * optimisers and the backend choice: the core of ppl, a Pyro-style
 * probabilistic-programming framework on TensorFlow.js. Start with
 * {@link sample}, {@link plate}, {@link trace} and {@link SVI}; the guides are in
 * the repository's docs/ folder. (`ppl-core/internal`, what the sibling
 * packages share, is not public API and is not documented here.)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Adam, SVI, TraceELBO, dist, plate, ready, sample } from "ppl-core";
 * import { AutoNormal } from "ppl-autoguide";
 *
 * await ready();
 * function* model(x: tf.Tensor1D) {
 *   const mu = yield* sample("mu", dist.Normal(0, 10));
 *   yield* plate("data", x.shape[0], function* () {
 *     yield* sample("obs", dist.Normal(mu, 1), { obs: x });
 *   });
 * }
 * const svi = new SVI(model, new AutoNormal(model), new Adam({ lr: 0.05 }), new TraceELBO());
 * for (let i = 0; i < 200; i++) svi.step(tf.tensor1d([1.2, 0.8, 1.1]));
 * ```
 *
 * @module ppl-core
 */
export * from "ppl-core";
