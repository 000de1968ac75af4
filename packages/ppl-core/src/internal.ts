/**
 * ppl-core/internal: what the sibling packages (ppl-enum, ppl-autoguide) need
 * beyond the user API: fused ops, trace plumbing, option parsing and backend
 * limits. Not a stable interface; users import "ppl-core".
 */
export { MAX_SAFE_RANK } from "./ops/tensor.js";
