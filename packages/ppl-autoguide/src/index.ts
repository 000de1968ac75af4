/** ppl-autoguide: guides built automatically from a model. */
export { AutoGuide, type GuideValues } from "./auto-guide.js";
export { AutoDelta, type AutoDeltaOptions } from "./auto-delta.js";
export { AutoNormal, type AutoNormalOptions } from "./auto-normal.js";
export { UnconstrainedNormal } from "./unconstrained-normal.js";
export {
  initToSample, initToMedian, initToMean, initToFeasible, initToValue, type InitLocFn, type InitSite,
} from "./init-strategies.js";
export type { PrototypeSite } from "./prototype.js";
