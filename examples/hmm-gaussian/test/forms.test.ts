// The tutorial's markov loop (TraceEnumELBO), the same body under vectorizedMarkov
// (TraceEnumELBO, one fused op over time) and the DiscreteHMM form (TraceELBO) are
// the same model: equal losses and gradients.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { block, clearParamStore, getParamStore } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { type ModelForm, modelAndLoss } from "../src/learn.js";
import { GLOBAL_SITES } from "../src/model.js";
import { exampleDir } from "./run.js";

const data = JSON.parse(readFileSync(join(exampleDir, "..", "..", "data", "seed_train_S30_T120_seed1.json"), "utf8")) as { obs: number[][] };

function lossAndGrads(form: ModelForm, values: Record<string, tf.Tensor>) {
  clearParamStore();
  const { model: m, loss: elbo } = modelAndLoss(form);
  const guide = new AutoDelta(block(m, { expose: [...GLOBAL_SITES] }), { initLocFn: initToValue({ values }) });
  const obs = tf.tensor2d(data.obs);
  guide.median(obs, 3); // creates the params
  const vars = [...getParamStore().variables().values()];
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(m, guide, obs, 3), vars);
  const out = {
    loss: value.dataSync()[0]!,
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.split("/")[1]!, Array.from(g.dataSync())])),
  };
  tf.dispose([obs, value, ...Object.values(grads)]);
  clearParamStore();
  return out;
}

describe("markov loop, vectorizedMarkov and DiscreteHMM forms of the seed model", () => {
  const points: [string, Record<string, number[] | number[][]>][] = [
    ["the true parameters", { probs_init: [0.5, 0.3, 0.2], probs_trans: [[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]], locs: [0, 5, 10], scales: [0.7, 0.7, 0.7] }],
    ["a poor point", { probs_init: [0.2, 0.2, 0.6], probs_trans: [[0.4, 0.3, 0.3], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], locs: [1, 3, 7], scales: [1.5, 0.4, 2] }],
  ];
  for (const [what, raw] of points) {
    for (const form of ["vectorizedMarkov", "vectorized"] as const) {
    it(`${form} gives the markov loop's loss (1e-5 relative) and gradients at ${what}`, () => {
      const values = () => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, tf.tensor(v)]));
      const a = lossAndGrads("markov", values());
      const b = lossAndGrads(form, values());
      expect(Math.abs(a.loss - b.loss) / Math.abs(a.loss)).toBeLessThan(1e-5);
      for (const site of GLOBAL_SITES) {
        const ga = a.grads[`AutoDelta.locs.${site}`]!;
        const gb = b.grads[`AutoDelta.locs.${site}`]!;
        expect(ga, site).toBeDefined();
        const scale = Math.max(1, ...ga.map(Math.abs));
        ga.forEach((g, i) => expect(Math.abs(g - gb[i]!) / scale, `${site}[${i}]`).toBeLessThan(1e-3));
      }
    });
    }
  }
});
