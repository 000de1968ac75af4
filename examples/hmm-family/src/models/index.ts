/** hmm.py's `models` table: model_0 … model_7 by number. */
import { model0 } from "./model-0.js";
import { model1 } from "./model-1.js";
import { model2 } from "./model-2.js";
import { model3 } from "./model-3.js";
import { model4 } from "./model-4.js";
import { model5 } from "./model-5.js";
import { model6 } from "./model-6.js";
import { model7 } from "./model-7.js";
import type { HmmModel } from "./types.js";

export const MODELS: Readonly<Record<number, HmmModel>> = {
  0: model0, 1: model1, 2: model2, 3: model3, 4: model4, 5: model5, 6: model6, 7: model7,
};

export const MODEL_NUMBERS = [0, 1, 2, 3, 4, 5, 6, 7] as const;
export type ModelNumber = (typeof MODEL_NUMBERS)[number];

/** hmm.py: model_0 has only the tones plate; every other model also has the sequences plate. */
export function maxPlateNesting(n: ModelNumber): number {
  return n === 0 ? 1 : 2;
}

export { model0, model1, model2, model3, model4, model5, model6, model7 };
export type { HmmModel, ModelArgs } from "./types.js";
