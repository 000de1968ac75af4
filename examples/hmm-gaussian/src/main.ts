/**
 * "Learning HMM parameters from data: continuous (Gaussian) emissions" — the
 * Pyro tutorial, section by section, in ppl.
 *
 *   pnpm example                      the tutorial's settings (30 × 120, K = 3, 3 restarts)
 *   pnpm example --json               one JSON result object on stdout, nothing else
 *   pnpm example --data file.json     learn from { "obs": number[][] } instead of generated data
 *   pnpm example --interpreted        the interpreted ELBO and decode instead of the compiled ones (same numbers, slower)
 */
import { makeProgress } from "example-kit/progress";
import { describeBackend, ready } from "ppl-core";
import { DataError, readJson } from "./data-io.js";
import { type FitInput, fit } from "./fit.js";
import { parseOptions } from "./options.js";
import { paramsTable } from "./report.js";
import { STATE_NAMES, TRUE_PARAMS, generate } from "./truth.js";

const PYRO_SECONDS = 59.9; // Pyro 1.8.6 / torch 1.13.1, 1 thread, 3 × 250 steps, same kind of machine

async function main(): Promise<void> {
  const { options, positionals } = parseOptions(process.argv.slice(2), { out: "out/hmm-gaussian" });
  if (positionals.length > 0) throw new DataError(`unexpected arguments: ${positionals.join(" ")} (to read a data file, use --data file.json)`);
  const say = options.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  const tStart = performance.now();
  await ready();
  say(describeBackend());

  // 1. Data: the tutorial's generator, or a file in the reference format.
  const train = options.data ? readJson(options.data) : { ...generate(30, 120, 1), labels: [] };
  const test = generate(1, 160, 77);
  say(`\n1. Data: ${train.obs.length} sequences × ${train.obs[0]!.length} steps${options.data ? ` from ${options.data}` : " (generate(30, 120, seed 1))"}; test sequence of 160 steps (seed 77)`);

  // 2–3. Model and learning: AutoDelta MAP of the globals, hidden states enumerated.
  const jit = options.interpreted ? "" : "Jit";
  const how = {
    markov: `${jit}TraceEnumELBO (states enumerated in the markov loop)`,
    "vectorized-markov": `${jit}TraceEnumELBO (states enumerated in vectorizedMarkov, one fused op over time)`,
    "discrete-hmm": `${jit}TraceELBO over one DiscreteHMM site per sequence`,
  }[options.form];
  say(`\n2. Learning K=${options.states} states: ${options.restarts} restarts × ${options.steps} steps of Adam(lr=${options.lr}) on ${how}`);
  const input: FitInput = {
    obs: train.obs,
    ...(train.states ? { states: train.states } : {}),
    decodeTargets: [{ y: test.obs[0]!, z: test.states[0]!, label: "test" }],
    ...(options.states === 3 ? { truth: TRUE_PARAMS, names: STATE_NAMES } : {}),
  };
  const result = await fit(input, options, makeProgress(options.restarts, options.steps));

  if (options.json) {
    process.stdout.write(JSON.stringify({ ...result, wallSeconds: (performance.now() - tStart) / 1000 }) + "\n");
    return;
  }
  say(`   final loss per restart: ${result.finalLossPerRestart.map((l) => l.toFixed(2)).join(", ")}; best: restart ${result.bestRestart + 1} (${result.bestLoss.toFixed(3)})`);

  // 4. Recovered parameters, relabelled by increasing mean.
  say("\n3. Recovered parameters (sorted by mean) against the truth:");
  say(paramsTable(result.params, input.truth, input.names));
  if (result.errors) {
    say(`   max |error|: means ${result.errors.maxLocError.toFixed(3)}, sds ${result.errors.maxScaleError.toFixed(3)}, diag(A) ${result.errors.maxDiagError.toFixed(3)}`);
  }

  // 5. Viterbi decoding of the held-out sequence.
  say(`\n4. Decoding the test sequence with inferDiscrete(temperature 0): accuracy ${((result.accuracy ?? 0) * 100).toFixed(1)} %`);
  if (result.figures.length > 0) say(`\n5. Figures:\n${result.figures.map((f) => `   ${f}`).join("\n")}`);
  const wall = (performance.now() - tStart) / 1000;
  say(`\nwall time ${wall.toFixed(1)} s (learning ${result.timings.learnSeconds.toFixed(1)} s); Pyro 1.8.6 on the same job: ${PYRO_SECONDS} s`);
}

main().catch((err: unknown) => {
  if (err instanceof DataError) {
    process.stderr.write(`hmm-gaussian: error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
