// The progress display of SVI.run and of hand-written loops: exact strings on a fake terminal
// and a fake log file with a fake clock; SVI.run's plain lines against the closed-form loss
// trajectory of a one-param model (loss_t = ½(3 − μ_t)² + ½ log 2π, μ_t = 3 − 3(1 − lr)^t).
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PPLConfigError, ProgressBar, SGD, SVI, TraceELBO, clearParamStore, dist, param, sample } from "ppl-core";

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
