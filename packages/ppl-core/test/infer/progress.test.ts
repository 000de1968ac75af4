// The progress display of SVI.run, Predictive and hand-written loops: exact strings on a fake terminal
// and a fake log file with a fake clock; SVI.run's plain lines against the closed-form loss
// trajectory of a one-param model (loss_t = ½(3 − μ_t)² + ½ log 2π, μ_t = 3 − 3(1 − lr)^t).
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PPLConfigError, Predictive, ProgressBar, SGD, SVI, TraceELBO, clearParamStore, dist, param, sample, setRngSeed } from "ppl-core";

/** A stream that keeps what is written; a terminal or not. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } };
}

/** A clock that returns the given milliseconds, one per call. */
function fakeClock(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)]!;
}

describe("ProgressBar on a terminal", () => {
  it("redraws one line at most every 100 ms and at the last step, then ends it", () => {
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(5, { stream, clock: fakeClock([1000, 1050, 1150, 1160, 2000]) });
    [10, 8, 6, 4, 2].forEach((loss, step) => bar.update(step, loss));
    bar.close();
    // the smoothed loss is the bias-corrected moving average with weight 0.1 on the newest:
    // after 3 steps (0.81·10 + 0.9·8 + 6)·0.1 / (1 − 0.9³) = 7.8598; after 5, 5.5806
    expect(writes).toEqual([
      "\rSVI  20%|####----------------| 1/5 [00:00<?, ? steps/s, loss 10]\x1b[K",
      "\rSVI  60%|############--------| 3/5 [00:00<00:00, 13.3 steps/s, loss 7.86]\x1b[K",
      "\rSVI 100%|####################| 5/5 [00:01<00:00, 4.0 steps/s, loss 5.581]\x1b[K",
      "\n",
    ]);
  });

  it("shows hours, large and small losses readably", () => {
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(3, { stream, label: "restart 2/3", clock: fakeClock([0, 3_600_000, 7_300_000]) });
    bar.update(0, 2.5e7);
    bar.update(1, 2.5e7);
    bar.update(2, 2.5e7);
    expect(writes[1]).toBe("\rrestart 2/3  66%|#############-------| 2/3 [1:00:00<1:00:00, 0.0 steps/s, loss 2.500e+7]\x1b[K");
    expect(writes[2]).toBe("\rrestart 2/3 100%|####################| 3/3 [2:01:40<00:00, 0.0 steps/s, loss 2.500e+7]\x1b[K");
  });
});

describe("ProgressBar elsewhere (a log file, CI)", () => {
  it("writes a plain line at the first step, every tenth of the run and the last", () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar(20, { stream, clock: fakeClock(Array.from({ length: 20 }, (_, i) => 500 * i)) });
    for (let step = 0; step < 20; step++) bar.update(step, 1);
    bar.close();
    expect(writes).toHaveLength(11);
    expect(writes[0]).toBe("SVI step 1/20  loss 1  ? steps/s  elapsed 00:00  left ?\n");
    expect(writes[1]).toBe("SVI step 2/20  loss 1  2.0 steps/s  elapsed 00:01  left 00:09\n");
    expect(writes[10]).toBe("SVI step 20/20  loss 1  2.0 steps/s  elapsed 00:10  left 00:00\n");
  });
});

function* model() {
  const mu = yield* param("mu", () => tf.scalar(0));
  yield* sample("y", dist.Normal(mu, 1), { obs: tf.scalar(3) });
}
function* guide() {}
const lossAt = (t: number, lr: number) => 0.5 * (3 * (1 - lr) ** t) ** 2 + 0.5 * Math.log(2 * Math.PI);

describe("SVI.run({ progress })", () => {
  beforeEach(() => clearParamStore());
  afterEach(() => vi.restoreAllMocks());

  it("reports the smoothed closed-form loss at steps 1, 2, 4, …, 20", () => {
    const { writes, stream } = fakeStream(false);
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    svi.run(20, [], { progress: { stream, clock: fakeClock(Array.from({ length: 20 }, (_, i) => 100 * i)) } });
    const reported = writes.map((w) => {
      const m = /^SVI step (\d+)\/20 {2}loss ([\d.]+) {2}/.exec(w);
      expect(m, w).not.toBeNull();
      return [Number(m![1]), Number(m![2])] as const;
    });
    expect(reported.map(([step]) => step)).toEqual([1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    let [avg, weight] = [0, 0];
    const smoothed = Array.from({ length: 20 }, (_, t) => {
      weight = weight * 0.9 + 0.1;
      avg = avg * 0.9 + 0.1 * lossAt(t, 0.1);
      return avg / weight;
    });
    for (const [step, loss] of reported) expect(Math.abs(loss - smoothed[step - 1]!) / smoothed[step - 1]!, `step ${step}`).toBeLessThan(1e-3);
  });

  it("prints nothing by default or with progress: false", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    svi.run(3, []);
    svi.run(3, [], { progress: false });
    expect(write).not.toHaveBeenCalled();
  });

  it("progress: true writes to stderr", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    svi.run(3, [], { progress: true });
    expect(write.mock.calls.map((c) => String(c[0])).join("")).toMatch(/SVI .*3\/3/);
  });

  it("rejects a progress option that is neither a boolean nor the bar's options", () => {
    const svi = new SVI(model, guide, new SGD({ lr: 0.1 }), new TraceELBO());
    expect(() => svi.run(3, [], { progress: "yes" as unknown as boolean })).toThrow(PPLConfigError);
    expect(() => svi.run(3, [], { progress: { stream: {} } as never })).toThrow(/progress/);
  });
});

describe("ProgressBar for loops without a loss (predictive draws, decodings)", () => {
  it("shows no loss and counts in the given unit, on a terminal", () => {
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(4, { stream, label: "decode", unit: "sequence", clock: fakeClock([0, 500, 1000, 1500]) });
    for (let i = 0; i < 4; i++) bar.update(i);
    bar.close();
    // 3 sequences after the first in 1.5 s: 2.0 sequences/s
    expect(writes).toEqual([
      "\rdecode  25%|#####---------------| 1/4 [00:00<?, ? sequences/s]\x1b[K",
      "\rdecode  50%|##########----------| 2/4 [00:01<00:01, 2.0 sequences/s]\x1b[K",
      "\rdecode  75%|###############-----| 3/4 [00:01<00:01, 2.0 sequences/s]\x1b[K",
      "\rdecode 100%|####################| 4/4 [00:02<00:00, 2.0 sequences/s]\x1b[K",
      "\n",
    ]);
    expect(bar.smoothedLoss).toBeNaN();
  });

  it("writes plain lines without a loss elsewhere", () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar(10, { stream, label: "decode", unit: "sequence", clock: fakeClock(Array.from({ length: 10 }, (_, i) => 250 * i)) });
    for (let i = 0; i < 10; i++) bar.update(i);
    bar.close();
    expect(writes).toHaveLength(10);
    expect(writes[0]).toBe("decode sequence 1/10  ? sequences/s  elapsed 00:00  left ?\n");
    expect(writes[9]).toBe("decode sequence 10/10  4.0 sequences/s  elapsed 00:02  left 00:00\n");
  });
});

describe("Predictive({ progress })", () => {
  // mu ~ N(0, 1), y ~ N(mu, 1) observed; the guide's mu ~ N(q, 0.5)
  function* pmodel(y: tf.Tensor) {
    const mu = yield* sample("mu", dist.Normal(0, 1));
    yield* sample("y", dist.Normal(mu, 1), { obs: y });
  }
  function* pguide(_y: tf.Tensor) {
    const q = yield* param("q", () => tf.scalar(0.7));
    yield* sample("mu", dist.Normal(q, 0.5));
  }
  beforeEach(() => clearParamStore());
  afterEach(() => vi.restoreAllMocks());

  const runsOf = (writes: string[]) => writes.map((w) => {
    const m = /^Predictive run (\d+)\/(\d+) {2}[\d.?]+ runs\/s {2}elapsed \d\d:\d\d {2}left [\d:?]+\n$/.exec(w);
    expect(m, w).not.toBeNull();
    return `${m![1]}/${m![2]}`;
  });

  it("counts a guide's run and the model's run per sample, in plain lines every tenth", () => {
    const { writes, stream } = fakeStream(false);
    const y = tf.scalar(1.2);
    const draws = new Predictive(pmodel, { guide: pguide, numSamples: 10, progress: { stream, clock: fakeClock(Array.from({ length: 20 }, (_, i) => 10 * i)) } }).forward(y);
    expect(runsOf(writes)).toEqual(["1/20", "2/20", "4/20", "6/20", "8/20", "10/20", "12/20", "14/20", "16/20", "18/20", "20/20"]);
    // 19 runs after the first over 190 ms
    expect(writes[10]).toBe("Predictive run 20/20  100.0 runs/s  elapsed 00:00  left 00:00\n");
    expect(draws.y!.shape).toEqual([10]);
    tf.dispose([y, ...Object.values(draws)]);
  });

  it("counts one run per posterior sample, and one run in all when parallel", () => {
    const y = tf.scalar(1.2);
    const mu = tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.5]);
    const seq = fakeStream(false);
    const a = new Predictive(pmodel, { posteriorSamples: { mu }, progress: { stream: seq.stream } }).forward(y);
    expect(runsOf(seq.writes)).toEqual(["1/5", "2/5", "3/5", "4/5", "5/5"]);
    const par = fakeStream(true);
    const b = new Predictive(pmodel, { guide: pguide, numSamples: 50, parallel: true, progress: { stream: par.stream, label: "ppc" } }).forward(y);
    // two runs (the guide's, then the model's), the last always drawn
    expect(par.writes.at(-2)).toMatch(/^\rppc 100%\|#{20}\| 2\/2 \[00:00<00:00, [\d.]+ runs\/s\]\x1b\[K$/);
    expect(par.writes.at(-1)).toBe("\n");
    tf.dispose([y, mu, ...Object.values(a), ...Object.values(b)]);
  });

  it("draws the same values with and without progress, and prints nothing by default or with progress: false", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const y = tf.scalar(1.2);
    const draw = (progress: boolean | { stream: { write: (s: string) => unknown } } | undefined) => {
      setRngSeed(7);
      const d = new Predictive(pmodel, { guide: pguide, numSamples: 6, ...(progress === undefined ? {} : { progress }) }).forward(y);
      const out = [Array.from(d.mu!.dataSync()), Array.from(d.y!.dataSync())];
      tf.dispose(Object.values(d));
      return out;
    };
    const quiet = draw(undefined);
    expect(draw(false)).toEqual(quiet);
    expect(write).not.toHaveBeenCalled();
    expect(draw({ stream: fakeStream(false).stream })).toEqual(quiet);
    expect(draw(true)).toEqual(quiet);
    expect(write.mock.calls.map((c) => String(c[0])).join("")).toMatch(/^Predictive run 1\/12 /);
    y.dispose();
  });

  it("rejects a progress option that is neither a boolean nor the bar's options", () => {
    expect(() => new Predictive(pmodel, { guide: pguide, numSamples: 2, progress: "yes" as unknown as boolean })).toThrow(PPLConfigError);
    expect(() => new Predictive(pmodel, { guide: pguide, numSamples: 2, progress: { unit: "" } })).toThrow(/Predictive.*progress/s);
  });
});
