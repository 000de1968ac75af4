/**
 * `dist.X(...)` builds a distribution, as `dist.X(...)` does in Pyro. The
 * classes are exported too, for `instanceof` and for writing new ones.
 */
import type { Transform } from "../constraints/transforms.js";
import type { TensorLike } from "../ops/tensor.js";
import { Bernoulli } from "./bernoulli.js";
import { Beta } from "./beta.js";
import { Binomial } from "./binomial.js";
import { Categorical, type CategoricalParams } from "./categorical.js";
import { Delta, type DeltaOptions } from "./delta.js";
import { Dirichlet } from "./dirichlet.js";
import { DiscreteHMM, type DiscreteHMMOptions } from "./discrete-hmm.js";
import { type Distribution, Independent } from "./base/distribution.js";
import { Exponential } from "./exponential.js";
import { Gamma } from "./gamma.js";
import { HalfNormal } from "./half-normal.js";
import { Laplace } from "./laplace.js";
import { LogNormal } from "./lognormal.js";
import { MultivariateNormal, type MultivariateNormalParams } from "./multivariate-normal.js";
import { Normal } from "./normal.js";
import { Poisson } from "./poisson.js";
import { StudentT } from "./student-t.js";
import { TransformedDistribution, type TransformedDistributionOptions } from "./transformed-distribution.js";
import { Uniform } from "./uniform.js";
import { Cauchy } from "./cauchy.js";
import { Chi2 } from "./chi2.js";
import { Gumbel } from "./gumbel.js";
import { HalfCauchy } from "./half-cauchy.js";
import { InverseGamma } from "./inverse-gamma.js";
import { Logistic } from "./logistic.js";
import { TruncatedNormal } from "./truncated-normal.js";
import { VonMises } from "./von-mises.js";
import { Weibull } from "./weibull.js";
import { GammaPoisson } from "./gamma-poisson.js";
import { Geometric } from "./geometric.js";
import { Multinomial } from "./multinomial.js";
import { NegativeBinomial } from "./negative-binomial.js";
import { OneHotCategorical } from "./one-hot-categorical.js";
import { ZeroInflatedPoisson, type ZeroInflatedGate } from "./zero-inflated-poisson.js";
import { LKJCholesky } from "./lkj-cholesky.js";
import { LowRankMultivariateNormal } from "./low-rank-multivariate-normal.js";
import { MixtureSameFamily } from "./mixture-same-family.js";
import type { ProbsOrLogits } from "./base/validate.js";

export { Distribution, Expanded, Independent, Masked } from "./base/distribution.js";
export {
  Parameterized, ParameterizedDistribution, arg, type ArgConstraints, type ArgSpec, type ArgTensors, type ArgValues, type ParameterizedClass,
} from "./base/parameterized.js";
export {
  Bernoulli, Beta, Binomial, Categorical, Delta, Dirichlet, Exponential, Gamma, HalfNormal, Laplace, LogNormal,
  MultivariateNormal, Normal, Poisson, StudentT, TransformedDistribution, Uniform,
};
export { Unit } from "./base/unit.js";
export { Cauchy, Chi2, Gumbel, HalfCauchy, InverseGamma, Logistic, TruncatedNormal, VonMises, Weibull };
export {
  GammaPoisson, Geometric, LKJCholesky, LowRankMultivariateNormal, MixtureSameFamily, Multinomial, NegativeBinomial,
  OneHotCategorical, ZeroInflatedPoisson,
};
export type { ZeroInflatedGate };
export { CorrCholesky, CorrCholeskyTransform, corrCholesky } from "../constraints/corr-cholesky.js";
export type { CategoricalParams, DeltaOptions, MultivariateNormalParams, ProbsOrLogits, TransformedDistributionOptions };

/**
 * Distribution constructors by family name, as `dist.X(...)` in Pyro.
 * @example
 * ```ts
 * const z = sample("z", dist.Normal(0, 1));
 * ```
 */
export const dist = {
  /** Normal(loc, scale). `dist.Normal(0, 1)`. */
  Normal: (loc: TensorLike, scale: TensorLike): Normal => new Normal(loc, scale),
  /** LogNormal(loc, scale): exp of a Normal(loc, scale). */
  LogNormal: (loc: TensorLike, scale: TensorLike): LogNormal => new LogNormal(loc, scale),
  /** HalfNormal(scale): |Normal(0, scale)|. */
  HalfNormal: (scale: TensorLike): HalfNormal => new HalfNormal(scale),
  /** Uniform(low, high) on [low, high). */
  Uniform: (low: TensorLike, high: TensorLike): Uniform => new Uniform(low, high),
  /** Beta(concentration1, concentration0) on [0, 1]. */
  Beta: (concentration1: TensorLike, concentration0: TensorLike): Beta => new Beta(concentration1, concentration0),
  /** Gamma(concentration, rate). */
  Gamma: (concentration: TensorLike, rate: TensorLike): Gamma => new Gamma(concentration, rate),
  /** Exponential(rate). */
  Exponential: (rate: TensorLike): Exponential => new Exponential(rate),
  /** Dirichlet(concentration [..., K]) on the simplex of the last axis. */
  Dirichlet: (concentration: TensorLike): Dirichlet => new Dirichlet(concentration),
  /** Categorical over {0, ..., K-1}: probs (a simplex on the last axis), { probs } or { logits }. */
  Categorical: (params: CategoricalParams | TensorLike): Categorical => new Categorical(params),
  /** Bernoulli over {0, 1}: probs, { probs } or { logits }. */
  Bernoulli: (params: ProbsOrLogits | TensorLike): Bernoulli => new Bernoulli(params),
  /** Poisson(rate) over {0, 1, 2, ...}. */
  Poisson: (rate: TensorLike): Poisson => new Poisson(rate),
  /** Binomial(totalCount, probs | { probs } | { logits }): successes in totalCount trials. */
  Binomial: (totalCount: TensorLike, params: ProbsOrLogits | TensorLike): Binomial => new Binomial(totalCount, params),
  /** Delta(v): all mass at v, with an optional log-density and event dims. */
  Delta: (v: TensorLike, options?: DeltaOptions): Delta => new Delta(v, options),
  /** MultivariateNormal(loc [..., D], { scaleTril } | { covarianceMatrix } | covariance). */
  MultivariateNormal: (loc: TensorLike, params: MultivariateNormalParams | TensorLike): MultivariateNormal =>
    new MultivariateNormal(loc, params),
  /** StudentT(df, loc = 0, scale = 1). */
  StudentT: (df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): StudentT => new StudentT(df, loc, scale),
  /** Laplace(loc, scale). */
  Laplace: (loc: TensorLike, scale: TensorLike): Laplace => new Laplace(loc, scale),
  /** Cauchy(loc, scale). */
  Cauchy: (loc: TensorLike, scale: TensorLike): Cauchy => new Cauchy(loc, scale),
  /** HalfCauchy(scale): |Cauchy(0, scale)|. */
  HalfCauchy: (scale: TensorLike): HalfCauchy => new HalfCauchy(scale),
  /** InverseGamma(concentration, rate): 1 / Gamma(concentration, rate). */
  InverseGamma: (concentration: TensorLike, rate: TensorLike): InverseGamma => new InverseGamma(concentration, rate),
  /** Chi2(df) = Gamma(df / 2, 1 / 2). */
  Chi2: (df: TensorLike): Chi2 => new Chi2(df),
  /** Weibull(scale, concentration), Pyro's argument order. */
  Weibull: (scale: TensorLike, concentration: TensorLike): Weibull => new Weibull(scale, concentration),
  /** Gumbel(loc, scale). */
  Gumbel: (loc: TensorLike, scale: TensorLike): Gumbel => new Gumbel(loc, scale),
  /** Logistic(loc, scale). */
  Logistic: (loc: TensorLike, scale: TensorLike): Logistic => new Logistic(loc, scale),
  /** VonMises(loc, concentration) on [-pi, pi). */
  VonMises: (loc: TensorLike, concentration: TensorLike): VonMises => new VonMises(loc, concentration),
  /** TruncatedNormal(loc, scale, low, high); a bound may be infinite. */
  TruncatedNormal: (loc: TensorLike, scale: TensorLike, low: TensorLike, high: TensorLike): TruncatedNormal =>
    new TruncatedNormal(loc, scale, low, high),
  /** The law of t(x), x ~ base, for transforms t applied left to right. */
  TransformedDistribution: (
    base: Distribution,
    transforms: Transform | readonly Transform[],
    options?: TransformedDistributionOptions,
  ): TransformedDistribution => new TransformedDistribution(base, transforms, options),
  /** Treat the rightmost batch dims of base as event dims (same as `base.toEvent(n)`). */
  Independent: (base: Distribution, reinterpretedBatchNdims: number): Independent =>
    new Independent(base, reinterpretedBatchNdims),
  /** Failures before the first success, over {0, 1, ...}: {@link Geometric}. */
  Geometric: (params: ProbsOrLogits | TensorLike): Geometric => new Geometric(params),
  /** Successes before totalCount failures: {@link NegativeBinomial}. */
  NegativeBinomial: (totalCount: TensorLike, params: ProbsOrLogits | TensorLike): NegativeBinomial =>
    new NegativeBinomial(totalCount, params),
  /** A Poisson count with a Gamma(concentration, rate) rate integrated out: {@link GammaPoisson}. */
  GammaPoisson: (concentration: TensorLike, rate: TensorLike): GammaPoisson => new GammaPoisson(concentration, rate),
  /** Poisson(rate) with extra structural zeros, `{ gate }` or `{ gateLogits }`: {@link ZeroInflatedPoisson}. */
  ZeroInflatedPoisson: (rate: TensorLike, gate: ZeroInflatedGate): ZeroInflatedPoisson => new ZeroInflatedPoisson(rate, gate),
  /** Counts of totalCount draws over the K categories of the last axis: {@link Multinomial}. */
  Multinomial: (totalCount: number, params: ProbsOrLogits | TensorLike): Multinomial => new Multinomial(totalCount, params),
  /** A Categorical with one-hot [K] values: {@link OneHotCategorical}. */
  OneHotCategorical: (params: CategoricalParams | TensorLike): OneHotCategorical => new OneHotCategorical(params),
  /** A Gaussian with covariance W Wᵀ + diag(d): {@link LowRankMultivariateNormal}. */
  LowRankMultivariateNormal: (loc: TensorLike, covFactor: TensorLike, covDiag: TensorLike): LowRankMultivariateNormal =>
    new LowRankMultivariateNormal(loc, covFactor, covDiag),
  /** The Cholesky factor of an LKJ(concentration) correlation matrix of size dim: {@link LKJCholesky}. */
  LKJCholesky: (dim: number, concentration: TensorLike = 1): LKJCholesky => new LKJCholesky(dim, concentration),
  /** A mixture over the rightmost batch dim of one component distribution: {@link MixtureSameFamily}. */
  MixtureSameFamily: (mixture: Categorical, component: Distribution): MixtureSameFamily => new MixtureSameFamily(mixture, component),
  /** A hidden Markov model with its discrete states summed out: {@link DiscreteHMM}. */
  DiscreteHMM: (
    initialLogits: TensorLike,
    transitionLogits: TensorLike,
    observationDist: Distribution,
    options?: DiscreteHMMOptions,
  ): DiscreteHMM => new DiscreteHMM(initialLogits, transitionLogits, observationDist, options),
};
