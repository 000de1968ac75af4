/**
 * Small dense linear algebra tfjs lacks, batched over leading dims: the
 * Cholesky factor and the inverse of a lower-triangular matrix, each computed
 * in float64 JS per matrix (event matrices are small) with its analytic
 * gradient, so MultivariateNormal and the positive-definite transforms can
 * be learned.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradient } from "./custom-grad.js";

type Mat = Float64Array;

/** Lower Cholesky factor of one symmetric n x n matrix (row-major), or null if it is not positive definite. */
export function choleskyNumbers(a: ArrayLike<number>, n: number): Mat | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** Inverse of one lower-triangular n x n matrix by forward substitution (the upper part is ignored). */
export function invLowerNumbers(l: ArrayLike<number>, n: number): Mat {
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    m[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k]! * m[k * n + j]!;
      m[i * n + j] = -s / l[i * n + i]!;
    }
  }
  return m;
}

function matmul(a: Mat, b: Mat, n: number, transA = false, transB = false): Mat {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (transA ? a[k * n + i]! : a[i * n + k]!) * (transB ? b[j * n + k]! : b[k * n + j]!);
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Apply `f` to every n x n matrix of a [..., n, n] tensor's data. */
function perMatrix(shape: readonly number[], inputs: ArrayLike<number>[], f: (mats: Mat[], n: number) => Mat): Float32Array {
  const n = shape[shape.length - 1]!;
  const count = shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const out = new Float32Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const mats = inputs.map((d) => Float64Array.from({ length: n * n }, (_, i) => d[b * n * n + i]!));
    out.set(f(mats, n), b * n * n);
  }
  return out;
}

/**
 * Lower Cholesky factor of each symmetric positive-definite matrix in a
 * [..., n, n] tensor. Gradient: Murray (2016), as in PyTorch's
 * cholesky_backward; it is symmetric, as the input is assumed to be.
 * A matrix that is not positive definite gives NaNs (validation catches it earlier).
 */
export const cholesky: (a: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([a], save) => {
  const data = perMatrix(a.shape, [a.dataSync()], ([m], n) => choleskyNumbers(m!, n) ?? new Float64Array(n * n).fill(NaN));
  const value = tf.tensor(data, a.shape, "float32");
  save([value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const l = saved[0]!;
      const g = perMatrix(l.shape, [l.dataSync(), dy.dataSync()], ([lm, gl], n) => {
        const p = matmul(lm!, gl!, n, true, false);
        // S = 0.5 * (tril(P) + tril(P, -1)^T): a symmetric matrix built from P's lower triangle
        const s = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            s[i * n + j] = 0.5 * p[i * n + j]!;
            if (j < i) s[j * n + i] = 0.5 * p[i * n + j]!;
          }
        }
        const inv = invLowerNumbers(lm!, n);
        return matmul(matmul(inv, s, n, true, false), inv, n);
      });
      return tf.tensor(g, l.shape, "float32");
    },
  };
});

/** Inverse of each lower-triangular matrix in a [..., n, n] tensor; entries above the diagonal are ignored. */
export const invLower: (l: tf.Tensor) => tf.Tensor = customGradient<[tf.Tensor]>(([l], save) => {
  const value = tf.tensor(perMatrix(l.shape, [l.dataSync()], ([m], n) => invLowerNumbers(m!, n)), l.shape, "float32");
  save([value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const m = saved[0]!;
      // dM = -M dL M, so dL = -tril(M^T dM M^T)
      const g = perMatrix(m.shape, [m.dataSync(), dy.dataSync()], ([mm, gm], n) => {
        const r = matmul(matmul(mm!, gm!, n, true, false), mm!, n, false, true);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] = j <= i ? -r[i * n + j]! : 0;
        return r;
      });
      return tf.tensor(g, m.shape, "float32");
    },
  };
});

/** x @ y^T over the last two dims, with broadcasting of leading dims (tfjs matMul needs equal ranks). */
export function matVec(m: tf.Tensor, v: tf.Tensor): tf.Tensor {
  // (m[..., i, j] * v[..., None, j]).sum(-1): elementwise so leading dims broadcast freely
  return tf.tidy(() => m.mul(v.expandDims(-2)).sum(-1));
}

/** The diagonal of each matrix in a [..., n, n] tensor. */
export function matrixDiag(m: tf.Tensor): tf.Tensor {
  return tf.tidy(() => m.mul(tf.eye(m.shape[m.rank - 1]!)).sum(-1));
}

/** Lower triangle (diagonal included when `k` = 0; strictly below for `k` = -1). */
export function tril(m: tf.Tensor, k = 0): tf.Tensor {
  return tf.tidy(() => {
    const n = m.shape[m.rank - 1]!;
    const mask = tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j - i <= k ? 1 : 0))));
    return m.mul(mask);
  });
}

/** m @ m^T over the last two dims. */
export function outerSelf(m: tf.Tensor): tf.Tensor {
  return tf.tidy(() => m.expandDims(-2).mul(m.expandDims(-3)).sum(-1));
}
