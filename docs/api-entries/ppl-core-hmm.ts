/**
 * A hidden Markov model's exact posteriors on plain float64 arrays: the
 * log-likelihood, each step's state marginals and the expected transition
 * counts (the Baum–Welch E-step), and the most likely path. The same
 * functions are in ppl-core's main entry; this entry imports no tfjs.
 *
 * @module ppl-core/hmm
 */
export * from "ppl-core/hmm";
