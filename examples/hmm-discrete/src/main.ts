/**
 * "Learning HMM parameters from data: discrete emissions" in ppl: the
 * weather HMM (rainy / sunny, or rainy / cloudy / sunny) seen through what a
 * friend does each day (walk / shop / clean), learned back from generated
 * data and used to decode a held-out sequence.
 *
 *   pnpm example:discrete                 three states, 3 restarts × 300 steps, figures in out/hmm-discrete
 *   pnpm example:discrete --states 2      the textbook two-state truth
 *   pnpm example:discrete --json          one JSON result object on stdout, nothing else
 */
import { OptionError, parseOptions } from "./options.js";

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // tfjs and the model load after the options are checked, so a typo is reported at once
  const [{ describeBackend, ready }, { makeProgress }, { paramsTable }, { DATA_DEFAULTS, runExample }] = await Promise.all([
    import("ppl-core"),
    import("example-kit/progress"),
    import("./report.js"),
    import("./run.js"),
  ]);
  const say = options.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  const tStart = performance.now();
  await ready();
  say(describeBackend());
  const d = DATA_DEFAULTS;
  say(`\n1. Data: ${d.numSeqs} sequences × ${d.T} days from the ${options.states}-state truth (seed ${d.trainSeed}); a held-out sequence of ${d.testT} days (seed ${d.testSeed})`);
  say(`\n2. Learning: ${options.restarts} restarts × ${options.steps} steps of Adam(lr=${options.lr}) on JitTraceEnumELBO (states enumerated in the markov loop, the step compiled), AutoDelta on the Dirichlet globals`);
  const result = await runExample(options, d, makeProgress(options.restarts, options.steps));
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...result, wallSeconds: (performance.now() - tStart) / 1000 }) + "\n");
    return;
  }
  say(`   final loss per restart: ${result.finalLossPerRestart.map((l) => l.toFixed(2)).join(", ")}; best: restart ${result.bestRestart + 1} (${result.bestLoss.toFixed(3)})`);
  say(`\n3. Learned parameters (states matched to the truth by their emissions: learned ${result.relabelOrder.join(", ")} → true 0…${options.states - 1}):`);
  say(paramsTable(result.params, result.trueParams, result.stateNames));
  const e = result.errors;
  say(`   max |error|: start ${e.maxInitError.toFixed(3)}, transitions ${e.maxTransError.toFixed(3)}, emissions ${e.maxEmitError.toFixed(3)}`);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  say(`\n4. Decoding the held-out sequence with inferDiscrete(temperature 0): accuracy ${pct(result.accuracy)} (learned), ${pct(result.oracleAccuracy)} with the true parameters`);
  if (result.figures.length > 0) say(`\n5. Figures:\n${result.figures.map((f) => `   ${f}`).join("\n")}`);
  say(`\nwall time ${((performance.now() - tStart) / 1000).toFixed(1)} s (learning ${result.timings.learnSeconds.toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  if (err instanceof OptionError) {
    process.stderr.write(`hmm-discrete: error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
