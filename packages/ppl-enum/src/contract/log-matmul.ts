/**
 * log Σ_k exp(Σ_i t_i) as a scaled matMul. When the terms that depend on the
 * eliminated k split into two groups, the joint is a[.., m, k] + b[.., n, k]
 * with the axes of both groups as a batch, and
 *   log Σ_k exp(a + b) = log( exp(a - max_k a) · exp(b - max_k b)ᵀ ) + max_k a + max_k b:
 * one matMul over the groups instead of exp over the whole broadcast joint
 * (hmm.py model_6's [32,16,16,16] joints, where wasm's Exp cost ~16 ns an
 * element). Pyro's DiscreteHMM (`_logmatmulexp`) computes the same.
 *
 * float32 limit: a product whose maxima sit at different k can underflow
 * where the true sum is finite. The forward pass checks the products and
 * returns null (the caller then builds the joint) when a product that is not
 * exactly zero is below TINY or an exact zero is not a sum of -∞ terms.
 */
import * as tf from "@tensorflow/tfjs-core";

const MOST_NEGATIVE = -3.4e38;
/** Below this a product has lost its precision (and 1/product would overflow in the gradient): rebuild the joint. */
const TINY = 1e-30;

interface Group {
  /** the term indices in this group */
  readonly terms: readonly number[];
  /** the group's sum, at the joint's rank (1 where no term of the group has the axis) */
  readonly shape: readonly number[];
  /** its sizes with the absent axes dropped, in joint order (k last) */
  readonly squeezed: readonly number[];
  /** squeezed → [batch axes, own axes, k] (null: already in that order) */
  readonly perm: readonly number[] | null;
  /** the sizes in that order */
  readonly ordered: readonly number[];
  /** [batch, own, k] as three sizes */
  readonly rows: readonly [number, number, number];
}

export interface LogMatMulPlan {
  /** the terms constant along k: added after the reduction */
  readonly outer: readonly number[];
  readonly left: Group;
  readonly right: Group;
  /** the matMul's [B, M, N] as [batch, left own, right own] sizes */
  readonly productSplit: readonly number[];
  /** that order → joint order of the axes it has (null: already) */
  readonly productPerm: readonly number[] | null;
  /** the product in joint order at rank r-1, 1 on axes neither group has */
  readonly productShape: readonly number[];
  /** the input shapes padded to the joint rank */
  readonly shapes: readonly (readonly number[])[];
}

/** Joints smaller than this stay on the direct path: ten small kernels cost more than an Exp of this size. */
const MIN_JOINT = 1024;
/** The two groups together must be at most this share of the joint's size to be worth it. */
const MAX_SHARE = 0.5;
const MAX_TERMS = 10;

const cache = new Map<string, LogMatMulPlan | null>();

/** The cheapest two-group split of `shapes` (each broadcastable to `jointShape`), or null when building the joint is as cheap. */
export function logMatMulPlan(shapes: readonly (readonly number[])[], jointShape: readonly number[]): LogMatMulPlan | null {
  const key = `${jointShape.join(",")}|${shapes.map((s) => s.join(",")).join("|")}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size > 512) cache.clear();
  const plan = choosePlan(shapes, jointShape);
  cache.set(key, plan);
  return plan;
}

function choosePlan(rawShapes: readonly (readonly number[])[], jointShape: readonly number[]): LogMatMulPlan | null {
  const r = jointShape.length;
  const K = jointShape[r - 1] ?? 1;
  const joint = sizeOf(jointShape);
  if (r < 1 || K < 2 || joint < MIN_JOINT || rawShapes.length > MAX_TERMS) return null;
  const shapes = rawShapes.map((s) => [...new Array<number>(r - s.length).fill(1), ...s]);
  const kTerms = shapes.flatMap((s, i) => (s[r - 1]! > 1 ? [i] : []));
  const outer = shapes.flatMap((s, i) => (s[r - 1]! > 1 ? [] : [i]));
  if (kTerms.length < 2) return null;
  let best: { cost: number; mask: number } | null = null;
  // every split with kTerms[last] on the right, so each pair of groups is seen once
  for (let mask = 1; mask < 1 << (kTerms.length - 1); mask++) {
    const left = kTerms.filter((_, j) => (mask >> j) & 1);
    const right = kTerms.filter((_, j) => !((mask >> j) & 1));
    const ls = groupShape(shapes, left, jointShape);
    const rs = groupShape(shapes, right, jointShape);
    // elementwise work on the groups; the matMul itself and the output's log are cheap next to an Exp over the joint
    const cost = sizeOf(ls) + sizeOf(rs);
    if (best === null || cost < best.cost) best = { cost, mask };
  }
  if (best === null || best.cost > MAX_SHARE * joint) return null;
  const mask = best.mask;
  const left = kTerms.filter((_, j) => (mask >> j) & 1);
  const right = kTerms.filter((_, j) => !((mask >> j) & 1));
  const ls = groupShape(shapes, left, jointShape);
  const rs = groupShape(shapes, right, jointShape);
  const axes = jointShape.slice(0, -1).map((_, j) => j);
  const batch = axes.filter((j) => ls[j]! > 1 && rs[j]! > 1);
  const mAxes = axes.filter((j) => ls[j]! > 1 && rs[j]! === 1);
  const nAxes = axes.filter((j) => rs[j]! > 1 && ls[j]! === 1);
  const split = [...batch, ...mAxes, ...nAxes];
  const sorted = [...split].sort((a, b) => a - b);
  const productPerm = sorted.map((j) => split.indexOf(j));
  return {
    outer,
    left: makeGroup(left, ls, batch, mAxes, r),
    right: makeGroup(right, rs, batch, nAxes, r),
    productSplit: split.map((j) => jointShape[j]!),
    productPerm: isIdentity(productPerm) ? null : productPerm,
    productShape: axes.map((j) => (ls[j]! > 1 || rs[j]! > 1 ? jointShape[j]! : 1)),
    shapes,
  };
}

function groupShape(shapes: readonly (readonly number[])[], terms: readonly number[], jointShape: readonly number[]): number[] {
  return jointShape.map((d, j) => (terms.some((i) => shapes[i]![j]! > 1) ? d : 1));
}

function makeGroup(terms: readonly number[], shape: readonly number[], batch: readonly number[], own: readonly number[], r: number): Group {
  const present = shape.flatMap((d, j) => (d > 1 || j === r - 1 ? [j] : []));
  const order = [...batch, ...own, r - 1];
  const perm = order.map((j) => present.indexOf(j));
  const B = sizeOf(batch.map((j) => shape[j]!));
  const X = sizeOf(own.map((j) => shape[j]!));
  return {
    terms, shape,
    squeezed: present.map((j) => shape[j]!),
    perm: isIdentity(perm) ? null : perm,
    ordered: order.map((j) => shape[j]!),
    rows: [B, X, shape[r - 1]!],
  };
}

export interface LogMatMulResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * The forward pass for tf.customGrad (inputs already at the plan's shapes'
 * sizes), or null, before anything is saved, when float32 products underflow.
 */
export function logMatMulForward(xs: readonly tf.Tensor[], plan: LogMatMulPlan, outShape: readonly number[], save: tf.GradSaveFunc): LogMatMulResult | null {
  const padded = xs.map((x, i) => (x.rank === plan.shapes[i]!.length ? x : x.reshape([...plan.shapes[i]!])));
  const a = toRows(groupSum(padded, plan.left), plan.left);
  const b = toRows(groupSum(padded, plan.right), plan.right);
  const ma = tf.maximum(a.max(-1, true), MOST_NEGATIVE);
  const mb = tf.maximum(b.max(-1, true), MOST_NEGATIVE);
  const ea = a.sub(ma).exp();
  const eb = b.sub(mb).exp();
  const p = tf.matMul(ea, eb, false, true);
  const pv = p.dataSync();
  const state = productState(pv);
  if (state === "underflow") return null;
  if (state === "zeros" && !zerosAreExact(pv, a, b)) return null;
  save([ea, eb, p]);
  const [B, M] = plan.left.rows;
  const N = plan.right.rows[1];
  let value = fromProduct(p.log().add(ma).add(mb.reshape([B, 1, N])), plan);
  for (const i of plan.outer) value = value.add(padded[i]!.reshape(padded[i]!.shape.slice(0, -1)));
  if (!shapesEqual(value.shape, outShape)) value = tf.broadcastTo(value, [...outShape]);
  const hasZeros = state === "zeros";
  return {
    value,
    gradFunc: (dy, saved) => {
      const [sa, sb, sp] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      // an exact zero product is a sum of -∞ terms: their gradient is 0 whatever g is there, so any finite g will do
      const denom = hasZeros ? sp.add(sp.equal(0).cast("float32")) : sp;
      const g = toProductRows(reduceTo(dy, plan.productShape), plan, [B, M, N]).div(denom) as tf.Tensor3D;
      const da = fromRows(sa.mul(tf.matMul(g, sb)), plan.left);
      const db = fromRows(sb.mul(tf.matMul(g, sa, true, false)), plan.right);
      const dyk = dy.reshape([...dy.shape, 1]);
      const handed = new Set<tf.Tensor>();
      return xs.map((x, i) => {
        const source = plan.left.terms.includes(i) ? da : plan.right.terms.includes(i) ? db : dyk;
        let gi = reduceTo(source, plan.shapes[i]!);
        // the tape disposes each input's gradient after accumulating it, so no tensor may go to two inputs
        if (handed.has(gi)) gi = gi.clone();
        handed.add(gi);
        return gi.rank === x.rank ? gi : gi.reshape(x.shape);
      });
    },
  };
}

function groupSum(xs: readonly tf.Tensor[], g: Group): tf.Tensor {
  // broadcasting the group's terms gives the group's shape: it has an axis where one of them has it
  let s = xs[g.terms[0]!]!;
  for (let j = 1; j < g.terms.length; j++) s = s.add(xs[g.terms[j]!]!);
  return s;
}

function toRows(x: tf.Tensor, g: Group): tf.Tensor3D {
  const sq = x.reshape([...g.squeezed]);
  return (g.perm === null ? sq : sq.transpose([...g.perm])).reshape([...g.rows]) as tf.Tensor3D;
}

function fromRows(rows: tf.Tensor, g: Group): tf.Tensor {
  const o = rows.reshape([...g.ordered]);
  return (g.perm === null ? o : o.transpose(inverse(g.perm))).reshape([...g.shape]);
}

function fromProduct(p: tf.Tensor, plan: LogMatMulPlan): tf.Tensor {
  const s = p.reshape([...plan.productSplit]);
  return (plan.productPerm === null ? s : s.transpose([...plan.productPerm])).reshape([...plan.productShape]);
}

function toProductRows(x: tf.Tensor, plan: LogMatMulPlan, rows: readonly number[]): tf.Tensor {
  const sortedSizes = plan.productShape.filter((d) => d > 1);
  const s = x.reshape(sortedSizes);
  return (plan.productPerm === null ? s : s.transpose(inverse(plan.productPerm))).reshape([...rows]);
}

type ProductState = "ok" | "zeros" | "underflow";

function productState(p: ArrayLike<number>): ProductState {
  let zeros = false;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v < TINY) {
      if (v > 0) return "underflow";
      zeros = true;
    }
  }
  return zeros ? "zeros" : "ok";
}

/** Whether every zero product has no finite term pair (so it is -∞ exactly, not an underflow). */
function zerosAreExact(p: ArrayLike<number>, a: tf.Tensor3D, b: tf.Tensor3D): boolean {
  // read outside tidy: tidy walks a returned typed array element by element, looking for tensors
  const pairs = tf.tidy(() => tf.matMul(tf.isFinite(a).cast("float32"), tf.isFinite(b).cast("float32"), false, true));
  const finitePairs = pairs.dataSync();
  pairs.dispose();
  for (let i = 0; i < p.length; i++) if (p[i] === 0 && finitePairs[i]! > 0) return false;
  return true;
}

/** Sum `g` over the axes where `shape` has size 1 (same rank), giving `shape`. */
export function reduceTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] === 1 && g.shape[i]! > 1) axes.push(i);
  const r = axes.length > 0 ? g.sum(axes, true) : g;
  return r.shape.length === shape.length ? r : r.reshape([...shape]);
}

function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
