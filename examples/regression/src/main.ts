/**
 * `pnpm --filter regression start [--steps N] [--out DIR] [--json]`:
 * fit the regression, print the posterior quantiles next to the exact
 * (conjugate) posterior, and write the posterior predictive band figure.
 */
import { ready } from "ppl-core";
import { exactPosterior } from "./conjugate.js";
import { TRUTH, makeData } from "./data.js";
import { fit } from "./fit.js";
import { userPath, withoutPnpmSeparator } from "example-kit/cli";
import { writeFigure } from "example-kit/figure";
import { bandFigure } from "./plots.js";

function parseArgs(argv: readonly string[]): { steps: number; out: string; json: boolean } {
  const out = { steps: 2000, out: "out/regression", json: false };
  argv = withoutPnpmSeparator(argv);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") out.json = true;
    else if (a === "--steps") out.steps = Number(argv[++i]);
    else if (a === "--out") out.out = argv[++i] ?? "";
    else throw new Error(`regression: unknown argument '${a}'; valid: --steps N, --out DIR, --json`);
  }
  if (!Number.isInteger(out.steps) || out.steps < 1) throw new Error(`regression: --steps must be a positive integer, got ${out.steps}`);
  if (out.out === "") throw new Error("regression: --out needs a directory");
  // under out/ of the folder the command ran in (pnpm runs the script in the package's folder)
  return { ...out, out: userPath(out.out) };
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  // a usage error: the message alone, no stack
  console.error((err as Error).message);
  process.exit(2);
}
await ready();
const { x, y } = makeData();
// progress on stderr: stdout stays clean for --json
const result = fit(x, y, TRUTH.sigma, { steps: args.steps, progress: true });
const exact = exactPosterior(x, y, TRUTH.sigma);
const files = await writeFigure(bandFigure(x, y, result.band, { steps: args.steps }), args.out, "posterior-predictive");

if (args.json) {
  console.log(JSON.stringify({ truth: TRUTH, exact, ...result, files }, null, 2));
} else {
  const fmt = (v: number) => v.toFixed(3).padStart(8);
  console.log(`Bayesian linear regression, ${x.length} points, AutoMultivariateNormal, ${args.steps} SVI steps`);
  console.log(`site        ${result.qs.map((q) => `q${Math.round(q * 100)}`.padStart(8)).join("")}   exact mean ± sd`);
  for (const [i, site] of (["intercept", "slope"] as const).entries()) {
    const sd = Math.sqrt(exact.cov[i]![i]!);
    console.log(`${site.padEnd(12)}${result.quantiles[site].map(fmt).join("")}   ${exact.mean[i]!.toFixed(3)} ± ${sd.toFixed(3)}`);
  }
  const corr = (c: number[][]) => c[0]![1]! / Math.sqrt(c[0]![0]! * c[1]![1]!);
  console.log(`correlation  guide ${corr(result.posterior.cov).toFixed(3)}   exact ${corr(exact.cov).toFixed(3)}`);
  console.log(`figure: ${files.join(", ")}`);
}
