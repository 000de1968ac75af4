/** Training progress: a redrawn bar on a terminal, a plain line every so often otherwise. */

/** What a learner reports to: one call per SVI step, one at the end. */
export interface Progress {
  /** Step `step` (from 0) of restart `restart` (from 0) ended at `loss`. */
  update(restart: number, step: number, loss: number): void;
  /** Training is over: clear the bar's line. */
  done(): void;
}

/** A progress display for `restarts` runs of `steps` steps on `stream` (stderr by default: stdout stays clean for --json). */
export function makeProgress(restarts: number, steps: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const isTTY = stream.isTTY === true;
  let restartStart = performance.now();
  let lastRestart = -1;
  let lastDraw = 0;
  const every = Math.max(1, Math.round(steps / 5));
  return {
    update(restart, step, loss) {
      if (restart !== lastRestart) {
        lastRestart = restart;
        restartStart = performance.now();
      }
      // the clock starts at the first report, so the rate counts the steps after it
      const elapsed = (performance.now() - restartStart) / 1000;
      const rate = step > 0 ? `${(step / Math.max(elapsed, 1e-9)).toFixed(1)} steps/s` : "";
      const label = `restart ${restart + 1}/${restarts}  step ${String(step + 1).padStart(String(steps).length)}/${steps}  loss ${loss.toFixed(2)}  ${rate}`.trimEnd();
      if (isTTY) {
        const now = performance.now();
        if (now - lastDraw < 80 && step + 1 < steps) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round(((step + 1) / steps) * width);
        stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${label}\x1b[K`);
        if (step + 1 === steps) stream.write("\n");
      } else if ((step + 1) % every === 0 || step === 0) {
        stream.write(`${label}\n`);
      }
    },
    done() {
      if (isTTY) stream.write("\x1b[K");
    },
  };
}
