/**
 * Pyro's examples/hmm.py in ppl: one of model_0 … model_7, trained by MAP
 * Baum-Welch on generated polyphonic data, then scored on held-out data.
 *
 *   pnpm example:hmm-family -- --model 3            loss per step, then train / held-out scores
 *   pnpm example:hmm-family -- --model 6 --raftery  model_6 with Raftery's parameterisation
 *   pnpm example:hmm-family -- --json               one JSON result object on stdout, nothing else
 *
 * Figures (loss per step, a training sequence) go to out/hmm-family (--out DIR, --no-figures).
 */
import { writeFigure } from "example-kit/figure";
import { describeBackend, ready } from "ppl-core";
import { randomChordHmm, sampleSequences, toTensors } from "./data.js";
import { OptionsError, parseOptions } from "./options.js";
import { lossFigure, pianoRollFigure } from "./plots.js";
import { train } from "./train.js";

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const say = o.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  await ready();
  say(describeBackend());
  const truth = randomChordHmm(4, o.tones, o.seed);
  const trainData = sampleSequences(truth, o.sequences, o.length, o.seed);
  const testData = sampleSequences(truth, o.testSequences, o.length, o.seed + 1);
  say(`model_${o.model}: ${o.sequences} training and ${o.testSequences} held-out sequences of up to ${o.length} steps × ${o.tones} tones`);
  const args = { hiddenDim: o.hidden, nnDim: o.nnDim, nnChannels: o.nnChannels, raftery: o.raftery, batchSize: o.batchSize };
  say("Step\tLoss");
  const result = train(toTensors(trainData), toTensors(testData), {
    model: o.model, args, steps: o.steps, lr: o.lr, seed: o.seed,
    onStep: (step, loss) => say(`${String(step).padStart(5)}\t${loss.toFixed(4)}`),
  });
  const figures = o.figures
    ? [
      ...(await writeFigure(lossFigure(result, o), o.out, "1-loss")),
      ...(await writeFigure(pianoRollFigure(trainData.sequences[0]!, trainData.lengths[0]!, "Training sequence 1"), o.out, "2-sequence")),
    ]
    : [];
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ...result, options: o, figures })}\n`);
    return;
  }
  say(`training loss = ${result.trainLoss.toFixed(4)}`);
  say(`held-out loss = ${result.testLoss.toFixed(4)} (log-likelihood ${result.testLogLikelihood.toFixed(4)} per step)`);
  say(`model_${o.model} capacity = ${result.capacity} parameters; ${result.seconds.toFixed(1)} s`);
  if (figures.length > 0) say(`figures: ${figures.join(", ")}`);
}

main().catch((err: unknown) => {
  if (err instanceof OptionsError) {
    process.stderr.write(`hmm-family: error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
