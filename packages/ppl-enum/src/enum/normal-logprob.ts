/**
 * The fused Normal log-density op (one differentiable op in float64 JS) now
 * lives in ppl-core, where Normal.logProb uses it too; re-exported here for
 * the enumeration code that imports it from this module.
 */
export { normalLogProb } from "ppl-core";
