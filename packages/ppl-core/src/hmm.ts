/**
 * ppl-core/hmm: a hidden Markov model's exact posteriors on plain float64
 * arrays (log-likelihood, state marginals, transition counts, Viterbi path),
 * the same functions as ppl-core's main entry exports, in an entry that
 * imports no tfjs: a program that only needs these (ppl-hmm's default fit)
 * starts in milliseconds.
 *
 * @module ppl-core/hmm
 */
export { type HmmArrays, type HmmPath, type HmmPosterior, hmmForwardBackward, hmmLogLikelihood64, hmmMostLikelyPath } from "./ops/hmm-arrays.js";
