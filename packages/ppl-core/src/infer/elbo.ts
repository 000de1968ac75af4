import type * as tf from "@tensorflow/tfjs-core";
import type { Model } from "../runtime/messages.js";

/** A variational objective: SVI minimises `differentiableLoss` (a surrogate whose value is the loss). */
export interface ELBO {
  /** -ELBO as a scalar tensor whose gradient is the ELBO's gradient estimate. Call inside a tidy or variableGrads. */
  differentiableLoss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): tf.Scalar;
  /** -ELBO as a number, no gradient, nothing left allocated. */
  loss<A extends unknown[]>(model: Model<A>, guide: Model<A>, ...args: A): number;
}
