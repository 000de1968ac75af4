/**
 * The exact float64 scores of a fit in the data's units: the log-likelihood
 * of every sequence and each sequence's Viterbi path, by ppl-core's
 * hmmLogLikelihood64 and hmmMostLikelyPath.
 */
import { hmmLogLikelihood64, hmmMostLikelyPath } from "ppl-core/hmm";
import { gaussianLogEmissions } from "../emission.js";
import type { PlainParams } from "../params.js";

function chain(y: ArrayLike<number>, p: PlainParams) {
  return { logInit: p.probsInit.map(Math.log), logTrans: p.probsTrans.flat().map(Math.log), logEmit: gaussianLogEmissions(y, p.locs, p.scales) };
}

/** log p(y) of every sequence under `p` (data units, `scales` = emission sds), exact in float64. */
export function logLikelihood(seqs: readonly ArrayLike<number>[], p: PlainParams): number {
  return seqs.reduce((total, y) => total + hmmLogLikelihood64(chain(y, p)), 0);
}

/** The Viterbi path of one sequence under `p` (data units). */
export function viterbiPath(y: ArrayLike<number>, p: PlainParams): Int32Array {
  return hmmMostLikelyPath(chain(y, p)).path;
}
