/**
 * KL(q ‖ p) in closed form, for the pairs that have one (torch.distributions'
 * kl registry, written out here): `klDivergence(q, p)` returns it with
 * q's and p's batch shape broadcast, or undefined when the pair has no
 * closed form (the caller then estimates it by sampling). A pair is
 * registered for two exact classes: a subclass that changes its log-density
 * must not inherit its parent's formula. Users add pairs with `registerKL`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Beta } from "../distributions/beta.js";
import { Bernoulli } from "../distributions/bernoulli.js";
import { Categorical } from "../distributions/categorical.js";
import { Delta } from "../distributions/delta.js";
import { Dirichlet } from "../distributions/dirichlet.js";
import { Distribution, Expanded, Independent } from "../distributions/base/distribution.js";
import { Exponential } from "../distributions/exponential.js";
import { Gamma } from "../distributions/gamma.js";
import { HalfNormal } from "../distributions/half-normal.js";
import { Laplace } from "../distributions/laplace.js";
import { LogNormal } from "../distributions/lognormal.js";
import { MultivariateNormal } from "../distributions/multivariate-normal.js";
import { Normal } from "../distributions/normal.js";
import { Poisson } from "../distributions/poisson.js";
import { Uniform } from "../distributions/uniform.js";
import { invLower } from "../ops/linalg.js";
import { digamma, lgamma } from "../ops/special.js";
import { broadcastShapes, broadcastTo, sumRightmost } from "../ops/tensor.js";

/** A closed-form KL(q ‖ p) of one pair, elementwise over the broadcast batch shape. */
export type KLFormula<Q extends Distribution, P extends Distribution> = (q: Q, p: P) => tf.Tensor;

type Ctor<D extends Distribution> = abstract new (...args: never[]) => D;

const table = new Map<Ctor<Distribution>, Map<Ctor<Distribution>, KLFormula<Distribution, Distribution>>>();

/**
 * Register KL(q ‖ p) for distributions whose classes are exactly `Q` and `P`
 * (Pyro's / torch's `register_kl`). The formula returns a tensor
 * broadcastable to the batch shapes of q and p.
 *
 * @example
 * registerKL(MyNormal, MyNormal, (q, p) => ...);
 */
export function registerKL<Q extends Distribution, P extends Distribution>(Q: Ctor<Q>, P: Ctor<P>, formula: KLFormula<Q, P>): void {
  let row = table.get(Q);
  if (row === undefined) table.set(Q, (row = new Map()));
  row.set(P, formula as KLFormula<Distribution, Distribution>);
}

/**
 * KL(q ‖ p) with shape broadcast(q.batchShape, p.batchShape), or undefined
 * when no closed form is registered for the pair. `Independent` pairs with
 * the same reinterpreted dims and `Expanded` wrappers are unwrapped.
 */
export function klDivergence(q: Distribution, p: Distribution): tf.Tensor | undefined {
  const batch = broadcastShapes([q.batchShape, p.batchShape], "KL batch shapes");
  const kl = unwrapped(q, p);
  return kl === undefined ? undefined : broadcastTo(kl, batch);
}

function unwrapped(q: Distribution, p: Distribution): tf.Tensor | undefined {
  // an expanded batch is the same KL, broadcast
  if (q instanceof Expanded) return unwrapped(q.base, p);
  if (p instanceof Expanded) return unwrapped(q, p.base);
  if (q instanceof Independent || p instanceof Independent) {
    if (!(q instanceof Independent && p instanceof Independent) || q.reinterpreted !== p.reinterpreted) return undefined;
    const inner = unwrapped(q.base, p.base);
    if (inner === undefined) return undefined;
    // the bases' batch dims that became event dims: broadcast first, then sum them
    const shape = broadcastShapes([q.base.batchShape, p.base.batchShape], "KL batch shapes");
    return sumRightmost(broadcastTo(inner, shape), q.reinterpreted);
  }
  // KL(δ_v ‖ p) = log q(v) − log p(v), with the Delta's own logDensity as log q(v) (0 unless given:
  // a point mass's entropy is taken as 0, as Pyro does; an autoguide's Delta carries its log q there)
  if (q.constructor === Delta) return (q as Delta).logDensity.sub(p.logProb((q as Delta).v));
  const formula = table.get(q.constructor as Ctor<Distribution>)?.get(p.constructor as Ctor<Distribution>);
  return formula?.(q, p);
}

/** KL of two normals given their locations and scales. */
function normalKL(mq: tf.Tensor, sq: tf.Tensor, mp: tf.Tensor, sp: tf.Tensor): tf.Tensor {
  const ratio = sq.div(sp).square();
  return tf.tidy(() => ratio.sub(ratio.log()).sub(1).add(mq.sub(mp).div(sp).square()).mul(0.5));
}

registerKL(Normal, Normal, (q, p) => normalKL(q.loc, q.scale, p.loc, p.scale));
registerKL(LogNormal, LogNormal, (q, p) => normalKL(q.loc, q.scale, p.loc, p.scale));
registerKL(HalfNormal, HalfNormal, (q, p) => normalKL(tf.scalar(0), q.scale, tf.scalar(0), p.scale));

registerKL(Laplace, Laplace, (q, p) => {
  const d = q.loc.sub(p.loc).abs();
  return p.scale.div(q.scale).log().add(d.div(p.scale)).add(q.scale.div(p.scale).mul(d.div(q.scale).neg().exp())).sub(1);
});

registerKL(Exponential, Exponential, (q, p) => {
  const r = p.rate.div(q.rate);
  return r.sub(r.log()).sub(1);
});

registerKL(Gamma, Gamma, (q, p) =>
  p.concentration.mul(q.rate.div(p.rate).log())
    .add(lgamma(p.concentration)).sub(lgamma(q.concentration))
    .add(q.concentration.sub(p.concentration).mul(digamma(q.concentration)))
    .add(p.rate.sub(q.rate).mul(q.concentration.div(q.rate))));

registerKL(Beta, Beta, (q, p) => {
  const [a, b, c, d] = [q.concentration1, q.concentration0, p.concentration1, p.concentration0];
  const sq = a.add(b);
  const sp = c.add(d);
  return lgamma(c).add(lgamma(d)).add(lgamma(sq))
    .sub(lgamma(a)).sub(lgamma(b)).sub(lgamma(sp))
    .add(a.sub(c).mul(digamma(a))).add(b.sub(d).mul(digamma(b)))
    .add(sp.sub(sq).mul(digamma(sq)));
});

registerKL(Dirichlet, Dirichlet, (q, p) => {
  const a = q.concentration;
  const c = p.concentration;
  const sq = a.sum(-1, true);
  const sp = c.sum(-1, true);
  const lognorm = lgamma(sq).squeeze([-1]).sub(lgamma(sp).squeeze([-1])).sub(lgamma(a).sub(lgamma(c)).sum(-1));
  return lognorm.add(a.sub(c).mul(digamma(a).sub(digamma(sq))).sum(-1));
});

registerKL(Bernoulli, Bernoulli, (q, p) => {
  // log σ(l) = −softplus(−l), log(1 − σ(l)) = −softplus(l)
  const lq1 = tf.softplus(q.logits.neg()).neg();
  const lq0 = tf.softplus(q.logits).neg();
  const lp1 = tf.softplus(p.logits.neg()).neg();
  const lp0 = tf.softplus(p.logits).neg();
  return lq1.exp().mul(lq1.sub(lp1)).add(lq0.exp().mul(lq0.sub(lp0)));
});

registerKL(Categorical, Categorical, (q, p) => {
  // torch's _kl_categorical_categorical: probs-given logits are clamped (log eps, finite), so the exclusions are
  // read off the probs: +∞ where p excludes a category q takes; a category q never takes adds nothing
  const lq = tf.logSoftmax(q.logits);
  const lp = tf.logSoftmax(p.logits);
  const t = lq.exp().mul(lq.sub(lp));
  const pq = broadcastTo(q.probs, t.shape);
  const pp = broadcastTo(p.probs, t.shape);
  return tf.where(pq.greater(0), tf.where(pp.greater(0), t, tf.fill(t.shape, Infinity)), tf.zerosLike(t)).sum(-1);
});

registerKL(Poisson, Poisson, (q, p) => q.rate.mul(q.rate.log().sub(p.rate.log())).sub(q.rate).add(p.rate));

registerKL(Uniform, Uniform, (q, p) => {
  const inside = q.low.greaterEqual(p.low).logicalAnd(q.high.lessEqual(p.high));
  const kl = p.high.sub(p.low).div(q.high.sub(q.low)).log();
  return tf.where(inside, kl, tf.fill(kl.shape, Infinity));
});

registerKL(MultivariateNormal, MultivariateNormal, (q, p) => {
  const k = q.loc.shape[q.loc.rank - 1]!;
  const lpInv = invLower(p.scaleTril);
  // M = Lp⁻¹ Lq, elementwise so batch dims broadcast: tr(Σp⁻¹ Σq) = ‖M‖²
  const m = lpInv.expandDims(-1).mul(q.scaleTril.expandDims(-3)).sum(-2);
  const z = lpInv.mul(p.loc.sub(q.loc).expandDims(-2)).sum(-1);
  const logDiag = (l: tf.Tensor) => tf.linalg.bandPart(l, 0, 0).sum(-1).log().sum(-1);
  return m.square().sum([-2, -1]).add(z.square().sum(-1)).sub(k).mul(0.5).add(logDiag(p.scaleTril)).sub(logDiag(q.scaleTril));
});
