/**
 * ppl-hmm as a library: the pieces of the command-line tool that other
 * programs (examples/hmm-gaussian) reuse. The tool itself is `ppl-hmm`
 * (bin/ppl-hmm.js); its figures are in "ppl-hmm/figures".
 */
export { type PlainParams, paramsTable, sortByLocs } from "./params.js";
export { DataError, EnvironmentError, OptionError, parseJson } from "./errors.js";
export { readJsonFile, readText } from "./files.js";
export { gaussianLogEmissions } from "./emission.js";
export { type Progress, makeProgress } from "./progress.js";
export { type GaussianHmm, fitGaussianHmm } from "./disaggregate/gaussian-hmm.js";
export { type ApproxOptions, type ApproxPath, approxMap } from "./disaggregate/approx-map.js";
export { type Chain, MAX_EXACT_STATES, checkExactStates, factorialArrays, factorialMap, factorialMarginalModes } from "./disaggregate/factorial.js";
