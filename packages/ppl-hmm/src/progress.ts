/** Training progress over restarts: ppl-core's ProgressBar (the one SVI.run shows), one bar per restart. */
import { ProgressBar, type ProgressStream } from "ppl-core";

/** What a learner reports to: one call per SVI step, one at the end. */
export interface Progress {
  /** Step `step` (from 0) of restart `restart` (from 0) ended at `loss`. */
  update(restart: number, step: number, loss: number): void;
  /** Training is over: end the bar's line. */
  done(): void;
}

/** A progress display for `restarts` runs of `steps` steps on `stream` (stderr by default: stdout stays clean for --json). */
export function makeProgress(restarts: number, steps: number, stream: ProgressStream = process.stderr): Progress {
  let bar: ProgressBar | undefined;
  let current = -1;
  return {
    update(restart, step, loss) {
      if (restart !== current) {
        bar?.close();
        current = restart;
        bar = new ProgressBar(steps, { stream, label: `restart ${restart + 1}/${restarts}` });
      }
      bar!.update(step, loss);
    },
    done() {
      bar?.close();
      bar = undefined;
    },
  };
}
