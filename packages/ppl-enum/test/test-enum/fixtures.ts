// Fixtures shared by the ported test_enum plate cases (test_elbo_enumerate_plate_*):
// Pyro's parameter values, its data (a fixed draw of Categorical([0.3, 0.7])) and its
// single / batch / masked parametrisation.
import * as tf from "@tensorflow/tfjs";
import { scale } from "ppl-core";
import type { Model } from "ppl-core";
import { Params } from "./params.js";

/** The model under scale(s) (Pyro's `poutine.scale(scale=s)`), unchanged for s = 1. */
export const scaled = (model: Model<[]>, s: number): Model<[]> => (s === 1 ? model : scale(model, s));
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The guide's x and the model's x -> y -> z chain, z's table given. */
export const enumParams = (probsZ: number[] | number[][] = [[0.3, 0.7], [0.2, 0.8]]) => new Params()
  .add("guide_probs_x", [0.1, 0.9], "simplex")
  .add("model_probs_x", [0.4, 0.6], "simplex")
  .add("model_probs_y", [[0.75, 0.25], [0.55, 0.45]], "simplex")
  .add("model_probs_z", probsZ, "simplex");
export const names4 = ["guide_probs_x", "model_probs_x", "model_probs_y", "model_probs_z"];

export const plateData = [1, 0, 1];
/** [id, plate size, unmasked members]. */
export const cases = [["single", 1, 1], ["batch", 2, 2], ["masked", 3, 2]] as const;
export const maskOf = (n: number, m: number) => tf.tensor1d(range(n).map((i) => i < m), "bool");
