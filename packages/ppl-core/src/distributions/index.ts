/**
 * `dist.X(...)` builds a distribution, as `dist.X(...)` does in Pyro. The
 * classes are exported too, for `instanceof` and for writing new ones.
 */
import type { TensorLike } from "../ops/tensor.js";
import { Categorical, type CategoricalParams } from "./categorical.js";
import { Delta, type DeltaOptions } from "./delta.js";
import { Dirichlet } from "./dirichlet.js";
import { LogNormal } from "./lognormal.js";
import { Normal } from "./normal.js";

export { Distribution, Expanded, Independent, Masked } from "./distribution.js";
export { Categorical, Delta, Dirichlet, LogNormal, Normal };
export { Unit } from "./unit.js";
export type { CategoricalParams, DeltaOptions };

export const dist = {
  Normal: (loc: TensorLike, scale: TensorLike): Normal => new Normal(loc, scale),
  LogNormal: (loc: TensorLike, scale: TensorLike): LogNormal => new LogNormal(loc, scale),
  Dirichlet: (concentration: TensorLike): Dirichlet => new Dirichlet(concentration),
  Categorical: (params: CategoricalParams | TensorLike): Categorical => new Categorical(params),
  Delta: (v: TensorLike, options?: DeltaOptions): Delta => new Delta(v, options),
};
