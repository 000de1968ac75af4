/** Construction-time checks of distribution parameters. */
import * as tf from "@tensorflow/tfjs";
import type { Constraint } from "../constraints/constraint.js";
import { PPLShapeError, PPLSupportError, formatShape } from "../errors.js";
import { broadcastShapes, toTensor, type TensorLike } from "../ops/tensor.js";
import { isValidationEnabled } from "../validation.js";

/**
 * Throw a PPLSupportError naming the distribution, the parameter, the first
 * offending value and the constraint, if any element violates it.
 */
export function checkParam(dist: string, param: string, value: tf.Tensor, constraint: Constraint): void {
  if (!isValidationEnabled()) return;
  const ok = tf.tidy(() => constraint.check(value));
  const flags = ok.dataSync();
  ok.dispose();
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) {
      const data = value.dataSync();
      const eventSize = constraint.eventDim > 0 ? value.shape.slice(-constraint.eventDim).reduce((a, b) => a * b, 1) : 1;
      const bad = Array.from(data.slice(i * eventSize, (i + 1) * eventSize)).map((v) => +v.toPrecision(6));
      throw new PPLSupportError(
        `${dist}: parameter '${param}' must be ${constraint.name}, but element ${i} is ` +
          `${eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`} (shape ${formatShape(value.shape)})`,
        { expected: constraint.name, actual: String(eventSize === 1 ? bad[0] : `[${bad.join(", ")}]`) },
      );
    }
  }
}

/** Broadcast batch shapes of several parameters, with an error naming the distribution. */
export function paramBatchShape(dist: string, params: Record<string, readonly number[]>): number[] {
  try {
    return broadcastShapes(Object.values(params));
  } catch {
    const desc = Object.entries(params).map(([k, s]) => `${k} ${formatShape(s)}`).join(", ");
    throw new PPLShapeError(`${dist}: parameter shapes do not broadcast: ${desc}`, {
      expected: "broadcastable parameter shapes",
      actual: desc,
    });
  }
}

export function asFloat(x: TensorLike): tf.Tensor {
  const t = toTensor(x);
  return t.dtype === "float32" ? t : t.cast("float32");
}
