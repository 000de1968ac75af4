/**
 * Disaggregating a household meter: a factorial HMM of M appliances, each
 * the seed tutorial's Gaussian chain, learned from sub-meters (or from the
 * mains under the catalogue's priors) and decoded from the mains alone.
 *
 *   pnpm example:nilm                                    3 appliances, one day, supervised, exact MAP
 *   pnpm example:nilm --appliances 8 --inference approx  beam search + per-chain Viterbi, linear in M
 *   pnpm example:nilm --workflow unsupervised --appliances 2
 *   pnpm example:nilm --json                             one JSON object on stdout
 */
import { PPLError, describeBackend, ready } from "ppl-core";
import { runHousehold } from "./disaggregate.js";
import { OptionsError, parseOptions } from "./options.js";
import { writeFigure } from "example-kit/figure";
import { DataError } from "ppl-hmm";
import { houseStackFigure } from "ppl-hmm/figures";
import { statesFigure } from "./plots.js";

/** The example works in kW (catalogue.ts); the figures are in W. */
const watts = (kw: readonly number[]) => kw.map((x) => x * 1000);

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const say = o.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  await ready();
  say(describeBackend());
  say(`\n${o.appliances} appliances, ${o.minutes} minutes (seed ${o.seed}); ${o.workflow} learning, ${o.inference} disaggregation`);
  const run = runHousehold(o);
  const r = run.result;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    say(`\n${"appliance".padEnd(18)} ${"states".padEnd(28)} accuracy    F1   energy (true / est. kWh, error)   levels learned (W)`);
    for (const a of r.appliances) {
      say(
        `${a.name.padEnd(18)} ${a.states.join("/").padEnd(28)} ${a.stateAccuracy.toFixed(3).padStart(8)} ${a.f1.toFixed(3).padStart(6)}` +
          `   ${a.energyKwh.true.toFixed(2).padStart(6)} / ${a.energyKwh.estimated.toFixed(2).padStart(6)}  ${(100 * a.energyError).toFixed(1).padStart(5)} %` +
          `      ${a.levelsW.join(", ")}`,
      );
    }
    say(`\nTECA (total energy correctly assigned): ${r.teca.toFixed(3)}`);
    say(`learning ${r.timings.learnSeconds.toFixed(1)} s, disaggregation ${r.timings.disaggregateSeconds.toFixed(1)} s`);
  }
  if (o.figures) {
    const names = run.types.map((a) => a.name);
    const files = [
      ...(await writeFigure(houseStackFigure(watts(run.day.mains), run.estimate.map(watts), run.day.power.map(watts), names, 60), o.out, "stack")),
      ...(await writeFigure(statesFigure(run.decoded, run.day.states, names, run.types.map((a) => a.states)), o.out, "states")),
    ];
    say(`\nfigures:\n${files.map((f) => `  ${f}`).join("\n")}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof OptionsError || err instanceof PPLError || err instanceof DataError) {
    process.stderr.write(`nilm: error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
