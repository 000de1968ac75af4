// hmm.py's --batch-size: the sequences plate subsamples B of N sequences and
// scales their log-likelihood by N / B (the prior is not scaled). Checked on
// model_1 against the float64 oracle of the subsampled sequences alone.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dist, sample, seed, trace } from "ppl-core";
import { TraceEnumELBO } from "ppl-enum";
import { model1 } from "../src/models/index.js";
import { plainHmm } from "./cases.js";

describe("subsampled sequences (hmm.py's batch_size)", () => {
  // three sequences of lengths 3, 2 and 1, zero-padded
  const inst = {
    sequences: [
      [[1, 0, 1], [0, 1, 1], [1, 1, 0]],
      [[0, 0, 1], [1, 0, 0], [0, 0, 0]],
      [[1, 1, 1], [0, 0, 0], [0, 0, 0]],
    ],
    lengths: [3, 2, 1],
    tones: 3,
  };
  const withPrior = plainHmm(1, true, inst);
  const values = Object.fromEntries(Object.entries(withPrior.samples).map(([k, v]) => [k, [...v.data]]));
  const logPrior = withPrior.oracle(values) - plainHmm(1, false, inst).oracle(values);
  const logLik = (n: number) =>
    plainHmm(1, false, { ...inst, sequences: [inst.sequences[n]!], lengths: [inst.lengths[n]!] }).oracle(values);

  for (const s of [1, 2, 3]) {
    it(`2 of 3 sequences (seed ${s}): loss = −(log prior + 3/2 × the batch's log-likelihood)`, () => {
      const args = { ...withPrior.args, batchSize: 2 };
      const sequences = tf.tensor3d(inst.sequences);
      const lengths = tf.tensor1d(inst.lengths, "int32");
      // the same seed draws the same batch in the trace and in the loss
      const seeded = seed(model1, s);
      const batch = Array.from(trace(seeded).getTrace(sequences, lengths, args, true).nodes.get("sequences")!.value!.dataSync());
      expect(new Set(batch).size).toBe(2);
      const vars = Object.entries(withPrior.samples).map(([k, v]) => [k, tf.tensor(v.data as number[], v.shape as number[])] as const);
      function* guide() {
        for (const [name, v] of vars) yield* sample(name, dist.Delta(v, { eventDim: v.rank }));
      }
      const loss = new TraceEnumELBO({ maxPlateNesting: 2 }).loss(seeded, guide, sequences, lengths, args, true);
      const truth = -(logPrior + (3 / 2) * batch.reduce((a, n) => a + logLik(n), 0));
      expect(Math.abs(loss - truth) / Math.abs(truth), `batch ${batch}: ${loss} vs ${truth}`).toBeLessThan(1e-5);
      tf.dispose([sequences, lengths, ...vars.map(([, v]) => v)]);
    });
  }
});
