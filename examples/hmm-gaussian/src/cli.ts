/**
 * ppl-hmm: fit a Gaussian HMM to your own signal.
 *
 *   ppl-hmm fit data.csv --states 3 [options]      (ppl-hmm --help lists them all)
 *
 * Exit codes: 0 done, 2 bad data or options (one error line, before any
 * training), 1 an internal fault.
 */
import { main, report } from "./cli-main.js";

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => process.exit(report(err)),
);
