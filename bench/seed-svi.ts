/**
 * One SVI step of a seed form (hmm-gaussian's model and ELBO, AutoDelta from a
 * prior draw, Adam at 0.05), as `pnpm bench`'s seed step rows time it, and
 * what to dispose after.
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type CompiledLossStats, type JitTraceELBO, SVI, block, clearParamStore, setRngSeed } from "ppl-core";
import { AutoDelta, initToSample } from "ppl-autoguide";
import { type ModelForm, modelAndLoss } from "hmm-gaussian/learn";
import { GLOBAL_SITES } from "hmm-gaussian/model";
import { type Timed, timeEachCall } from "./compile-cost.js";

export function seedStep(form: ModelForm, obs: number[][], K: number, compiled = false): {
  step: () => number;
  dispose: () => void;
  /** with `compiled`: what the compiled ELBO's calls did so far, and each call's time */
  compileStats?: () => Readonly<CompiledLossStats>;
  lossCalls?: readonly Timed[];
} {
  clearParamStore();
  setRngSeed(0);
  const { model, loss } = modelAndLoss(form, compiled);
  const guide = new AutoDelta(block(model, { expose: [...GLOBAL_SITES] }), { initLocFn: initToSample });
  const optim = new Adam({ lr: 0.05 });
  const svi = new SVI(model, guide, optim, loss);
  const x = tf.tensor2d(obs);
  // JitTraceELBO and JitTraceEnumELBO both count their calls
  const jit = loss as Partial<JitTraceELBO>;
  return {
    step: () => svi.step(x, K),
    ...(jit.compileStats === undefined ? {} : { compileStats: () => jit.compileStats!, lossCalls: timeEachCall(loss, "differentiableLoss") }),
    dispose: () => {
      x.dispose();
      optim.reset();
      jit.dispose?.();
      clearParamStore();
    },
  };
}
