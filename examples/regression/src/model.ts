/**
 * Bayesian linear regression with a known noise sd:
 * intercept, slope ~ N(0, PRIOR_SD²), y_i ~ N(intercept + slope·x_i, sigma²).
 * Conjugate, so the exact posterior is Gaussian (conjugate.ts), which is what
 * the AutoMultivariateNormal guide should find.
 */
import type * as tf from "@tensorflow/tfjs";
import { dist, plate, sample } from "ppl-core";

/** The prior sd of the intercept and the slope. */
export const PRIOR_SD = 10;

/** The model; `y` is observed when given (fitting) and drawn when left out (prediction at new x). */
export function* regression(x: tf.Tensor1D, y: tf.Tensor1D | undefined, sigma: number) {
  const intercept = yield* sample("intercept", dist.Normal(0, PRIOR_SD));
  const slope = yield* sample("slope", dist.Normal(0, PRIOR_SD));
  yield* plate("data", x.shape[0], function* () {
    yield* sample("y", dist.Normal(intercept.add(slope.mul(x)), sigma), { obs: y });
  });
}
