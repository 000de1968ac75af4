/**
 * Exact enumeration of discrete latent variables: {@link enumerate} and
 * {@link configEnumerate} lay their supports out on batch dims,
 * {@link TraceEnumELBO} sums them out exactly in the loss, and
 * {@link inferDiscrete} decodes them (temperature 0: Viterbi on a chain;
 * temperature 1: a draw from the joint posterior); {@link JitTraceEnumELBO}
 * and {@link JitInferDiscrete} are the loss and the MAP decode compiled once
 * per argument signature.
 *
 * @module ppl-enum
 */
export * from "ppl-enum";
