/** ppl-autoguide: guides built automatically from a model. */
export { AutoGuide, type GuideValues } from "./auto-guide.js";
export { AutoDelta, type AutoDeltaOptions } from "./auto-delta.js";
export { AutoNormal, type AutoNormalOptions } from "./auto-normal.js";
export { AutoContinuous, type LatentPosterior } from "./auto-continuous.js";
export { AutoDiagonalNormal, type AutoDiagonalNormalOptions } from "./auto-diagonal-normal.js";
export { AutoMultivariateNormal, type AutoMultivariateNormalOptions } from "./auto-multivariate-normal.js";
export { AutoLowRankMultivariateNormal, type AutoLowRankMultivariateNormalOptions } from "./auto-low-rank-multivariate-normal.js";
export { AutoGuideList } from "./auto-guide-list.js";
export { AutoDiscreteParallel } from "./auto-discrete-parallel.js";
export { UnconstrainedNormal } from "./unconstrained-normal.js";
export {
  initToSample, initToMedian, initToMean, initToFeasible, initToValue, type InitLocFn, type InitSite,
} from "./init-strategies.js";
export type { PrototypeSite, PrototypeOptions } from "./prototype.js";
