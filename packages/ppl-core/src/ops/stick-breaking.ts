/**
 * The stick-breaking map R^n -> the (n+1)-simplex as ONE differentiable op
 * in float64 JS: every simplex param of an autoguide goes through it on
 * every step, and in tfjs ops (log-sigmoids, cumsum, slices, concat) it is
 * ~20 kernels forward and as many backward.
 *
 *   u_i = x_i - log(n - i),  z_i = sigmoid(u_i)
 *   y_i = z_i Π_{j<i} (1 - z_j)  (i < n),   y_n = Π_{j<n} (1 - z_j)
 * With log y_i differentiated in u: ∂log y_i/∂u_i = 1 - z_i, ∂log y_k/∂u_i = -z_i
 * for every later k (the last included), so
 *   ∂L/∂x_i = g_i y_i (1 - z_i) - z_i Σ_{k>i} g_k y_k.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";

/** log(sigmoid(u)) = -softplus(-u), without overflow for large |u|. */
function logSigmoid(u: number): number {
  return u >= 0 ? -Math.log1p(Math.exp(-u)) : u - Math.log1p(Math.exp(u));
}

/** The simplex point [..., n+1] for unconstrained x [..., n] (x = 0 maps to the uniform point). */
export function stickBreaking(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const outShape = [...x.shape.slice(0, -1), n + 1];
  const offset = Float64Array.from({ length: n }, (_, i) => Math.log(n - i));
  const op = customGradient<[tf.Tensor]>(([input]) => {
    const xd = input.dataSync();
    const y = new Float64Array(rows * (n + 1));
    for (let r = 0; r < rows; r++) {
      // log of the stick left before break i
      let logRemaining = 0;
      for (let i = 0; i < n; i++) {
        const u = xd[r * n + i]! - offset[i]!;
        y[r * (n + 1) + i] = Math.exp(logSigmoid(u) + logRemaining);
        logRemaining += logSigmoid(-u);
      }
      y[r * (n + 1) + n] = Math.exp(logRemaining);
    }
    return {
      value: tf.tensor(Float32Array.from(y), outShape),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const gx = new Float32Array(rows * n);
        for (let r = 0; r < rows; r++) {
          const yr = r * (n + 1);
          // Σ_{k>i} g_k y_k, from the last component down
          let later = g[yr + n]! * y[yr + n]!;
          for (let i = n - 1; i >= 0; i--) {
            const u = xd[r * n + i]! - offset[i]!;
            const gy = g[yr + i]! * y[yr + i]!;
            // z and 1 - z each from its own exp, so neither loses digits near 0 or 1
            gx[r * n + i] = gy / (1 + Math.exp(u)) - later / (1 + Math.exp(-u));
            later += gy;
          }
        }
        return tf.tensor(gx, input.shape);
      },
    };
  });
  return op(x);
}
