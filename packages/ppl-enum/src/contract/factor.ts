/**
 * Named factors: a log-space tensor whose axes are named dims (enumerated
 * variables or plates). Only dims of size > 1 are kept, so a factor's rank is
 * the number of things it really depends on, never the positional arena width.
 */
import type * as tf from "@tensorflow/tfjs-core";

/** The name of a factor's axis: an enumerated variable or a plate. */
export type Dim = string;

/** A log-space tensor whose axes are named dims (what the contraction multiplies and sums). */
export interface Factor {
  /** The log-values, one axis per entry of `dims`. */
  readonly data: tf.Tensor;
  /** One name per axis of `data`. */
  readonly dims: readonly Dim[];
}

/** A factor and the plates it sits in (its ordinal, plate dim names). */
export interface PlacedFactor {
  /** The factor. */
  readonly factor: Factor;
  /** The plate dims it sits in. */
  readonly ordinal: readonly Dim[];
}

/** What the contraction needs to know about the problem, without tensors (the plan-cache key). */
export interface FactorSignature {
  readonly dims: readonly Dim[];
  readonly sizes: readonly number[];
  readonly ordinal: readonly Dim[];
}

export function signatureOf(f: PlacedFactor): FactorSignature {
  return { dims: f.factor.dims, sizes: f.factor.data.shape, ordinal: f.ordinal };
}

export function signatureKey(sigs: readonly FactorSignature[], sumDims: ReadonlySet<Dim>): string {
  const parts: string[] = [];
  for (const s of sigs) {
    let p = "";
    for (let i = 0; i < s.dims.length; i++) p += `${s.dims[i]}=${s.sizes[i]},`;
    parts.push(`${p}|${s.ordinal.join(",")}`);
  }
  return `${parts.join(";")}#${[...sumDims].sort().join(",")}`;
}
