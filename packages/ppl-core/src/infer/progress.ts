/**
 * A progress display (what tqdm is to Pyro and `progress_bar=True` to
 * NumPyro's `SVI.run`): on a terminal one line redrawn in place with the
 * step, the smoothed loss (when steps have one), steps per second and the time
 * left; elsewhere (a log file, CI) a plain line every tenth of the run. Used by
 * `SVI.run(..., { progress: true })`, `Predictive`'s `progress` option and by
 * anything with its own loop (the examples, ppl-hmm, a loop of inferDiscrete runs).
 */

/** Where progress goes: anything with `write` (stderr by default); `isTTY` picks the redrawn bar. */
export interface ProgressStream {
  /** Write a piece of text. */
  write(text: string): unknown;
  /** Whether the stream is a terminal (a redrawn bar) or not (plain lines). */
  readonly isTTY?: boolean;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Where to write (default: `process.stderr` where there is one, so stdout stays clean for output; else nothing). */
  readonly stream?: ProgressStream;
  /** Put before the bar, e.g. `"SVI"` or `"restart 2/3"` (default `"SVI"`). */
  readonly label?: string;
  /** What one step is, singular (default `"step"`): `"sample"` shows `sample 40/100` and `samples/s`. */
  readonly unit?: string;
  /** Milliseconds now (default `performance.now`): tests pass a fake clock. */
  readonly clock?: () => number;
}

/** Redraw the terminal line at most this often (tqdm's `mininterval`), plus always at the last step. */
const REDRAW_MS = 100;
/** Weight of the newest loss in the smoothed loss (an exponential moving average, bias-corrected). */
const SMOOTHING = 0.1;
const BAR_WIDTH = 20;

/**
 * Progress of a loop of `total` steps: call `update(step, loss)` after each
 * step and `close()` at the end.
 *
 * ```ts
 * const bar = new ProgressBar(1000, { label: "fit" });
 * for (let i = 0; i < 1000; i++) bar.update(i, svi.step(data));
 * bar.close();
 * ```
 */
export class ProgressBar {
  private readonly stream: ProgressStream | undefined;
  private readonly label: string;
  private readonly unit: string;
  private readonly clock: () => number;
  private readonly every: number;
  private start: number | undefined;
  private lastDraw = -Infinity;
  private average = 0;
  private weight = 0;
  private drawn = false;

  /**
   * @param total how many steps the loop runs
   * @param options {@link ProgressBarOptions}
   */
  constructor(readonly total: number, options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? defaultStream();
    this.label = options.label ?? "SVI";
    this.unit = options.unit ?? "step";
    this.clock = options.clock ?? (() => performance.now());
    this.every = Math.max(1, Math.round(total / 10));
  }

  /**
   * Step `step` (0-based) ended, with `loss` when steps have one (SVI's do;
   * a loop of predictive draws or decodings does not, and its lines show none).
   * @param step the step just taken, from 0
   * @param loss its loss, if any
   */
  update(step: number, loss?: number): void {
    const now = this.clock();
    // the clock starts at the first report: the first step's time (compiling, allocating) is not a rate
    this.start ??= now;
    if (loss !== undefined) {
      this.weight = this.weight * (1 - SMOOTHING) + SMOOTHING;
      this.average = this.average * (1 - SMOOTHING) + SMOOTHING * loss;
    }
    if (this.stream === undefined) return;
    const done = step + 1;
    const last = done >= this.total;
    if (this.stream.isTTY === true) {
      if (!last && now - this.lastDraw < REDRAW_MS) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.barLine(done, now)}\x1b[K`);
      this.drawn = true;
    } else if (done % this.every === 0 || step === 0 || last) {
      this.stream.write(`${this.plainLine(done, now)}\n`);
    }
  }

  /** The loop is over: end the terminal line (nothing to do for plain lines). */
  close(): void {
    if (this.drawn) this.stream!.write("\n");
    this.drawn = false;
  }

  /** The smoothed loss so far (NaN before the first update). */
  get smoothedLoss(): number {
    return this.weight === 0 ? NaN : this.average / this.weight;
  }

  /** `SVI  45%|#########-----------| 450/1000 [00:04<00:05, 98.2 steps/s, loss 123.4]` (no `, loss …` without losses) */
  private barLine(done: number, now: number): string {
    const frac = Math.min(1, done / this.total);
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const count = `${String(done).padStart(String(this.total).length)}/${this.total}`;
    const { elapsed, rate, eta } = this.timing(done, now);
    const loss = this.weight === 0 ? "" : `, loss ${formatLoss(this.smoothedLoss)}`;
    return `${this.label} ${pct}|${bar}| ${count} [${elapsed}<${eta}, ${rate}${loss}]`;
  }

  /** `SVI step 450/1000  loss 123.4  98.2 steps/s  elapsed 00:04  left 00:05` (no `loss …` without losses) */
  private plainLine(done: number, now: number): string {
    const { elapsed, rate, eta } = this.timing(done, now);
    const loss = this.weight === 0 ? "" : `  loss ${formatLoss(this.smoothedLoss)}`;
    return `${this.label} ${this.unit} ${done}/${this.total}${loss}  ${rate}  elapsed ${elapsed}  left ${eta}`;
  }

  private timing(done: number, now: number): { elapsed: string; rate: string; eta: string } {
    const seconds = (now - this.start!) / 1000;
    // steps after the first one, over the time since it
    const perSecond = done > 1 && seconds > 0 ? (done - 1) / seconds : undefined;
    return {
      elapsed: formatDuration(seconds),
      rate: `${perSecond === undefined ? "?" : perSecond.toFixed(1)} ${this.unit}s/s`,
      eta: perSecond === undefined ? "?" : formatDuration((this.total - done) / perSecond),
    };
  }
}

function defaultStream(): ProgressStream | undefined {
  // no node types in ppl-core's browser build: read process off globalThis
  const proc = (globalThis as { process?: { stderr?: ProgressStream } }).process;
  return proc?.stderr;
}

/** 4 significant digits, without exponent between 1e-3 and 1e6. */
function formatLoss(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** `mm:ss`, or `h:mm:ss` from an hour. */
function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
