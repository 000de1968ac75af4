// A worker whose task fails the ways a user's can: a PPL error with fields,
// a tensor returned instead of plain data, and a loop that never ends (to cancel).
import * as tf from "@tensorflow/tfjs";
import { PPLShapeError } from "ppl-core";
import { serveWorker } from "ppl-core";

export type FailingInput = { readonly kind: "ppl-error" | "tensor" | "forever" };

export const failingTask = serveWorker((input: FailingInput, ctx): { readonly value: unknown } => {
  if (input.kind === "ppl-error") throw new PPLShapeError("site 'x': wrong shape", { site: "x", expected: "[3]", actual: "[2]" });
  if (input.kind === "tensor") return { value: tf.scalar(1) };
  for (let step = 0; ; step++) {
    ctx.progress({ step, loss: 0 });
    const t0 = Date.now();
    while (Date.now() - t0 < 5) { /* a synchronous step */ }
  }
});
