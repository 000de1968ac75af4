// The worker API (ppl-core/worker) in Node's worker_threads: a fit run with
// runInWorker streams each step's loss, returns plain data, and gives the
// same numbers as the same fit on the main thread (same seed); both land on
// the Normal–Normal posterior's closed form. Errors keep their PPL class and
// fields across the boundary, tensors are refused with their path, and
// cancel() ends a task stuck in a synchronous loop.
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { PPLConfigError, PPLShapeError, backendInfo } from "ppl-core";
import { PPLCancelledError, runInWorker } from "ppl-core/worker";
import { afterEach, describe, expect, it } from "vitest";
import type { failingTask } from "./failing.worker.js";
import { type FitInput, fitNormal } from "./normal-fit.js";
import type { fitTask } from "./normal-fit.worker.js";

// The worker modules are TypeScript: the worker loads them through tsx (ts-worker.mjs).
const spawn = (file: string) =>
  new Worker(new URL("./ts-worker.mjs", import.meta.url), { workerData: { module: new URL(file, import.meta.url).href } });

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

const xs = [1.3, 0.4, 2.1, 1.7, 0.9, 1.2, 1.8, 0.6];
// mu ~ N(0, 10²), x_i ~ N(mu, 1): the posterior is N(Σx / (n + 1/100), 1 / (n + 1/100)).
const precision = xs.length + 1 / 100;
const postMean = xs.reduce((a, b) => a + b, 0) / precision;
const postSd = 1 / Math.sqrt(precision);

describe("runInWorker in a worker_threads worker", () => {
  it("streams every step, returns what the main thread computes with the same seed, and finds the closed-form posterior", async () => {
    const worker = spawn("./normal-fit.worker.ts");
    workers.push(worker);
    const inputs: FitInput[] = [
      { xs, steps: 800, lr: 0.01, seed: 7 },
      { xs, steps: 300, lr: 0.05, seed: 8 },
    ];
    const reports: { step: number; loss: number }[][] = [[], []];
    // two jobs queued on one worker: each gets its own reports and result
    const jobs = inputs.map((input, i) => runInWorker<typeof fitTask>(worker, input, { onProgress: (r) => reports[i]!.push(r) }));
    const results = await Promise.all(jobs.map((j) => j.result));
    expect((await jobs[0]!.backend).name).toBe(backendInfo().name);
    for (let i = 0; i < inputs.length; i++) {
      const onMain = fitNormal(inputs[i]!);
      // the same program on the same backend from the same seed: equal to the last bit
      expect(results[i]).toEqual(onMain);
      expect(reports[i]!.map((r) => r.step)).toEqual(onMain.losses.map((_, s) => s));
      expect(reports[i]!.map((r) => r.loss)).toEqual(onMain.losses);
    }
    expect(results[0]!.losses).not.toEqual(results[1]!.losses.concat(results[0]!.losses.slice(300)));
    // the closed form, up to SVI's noise at lr 0.01 (seeds 1–5 here: |loc − mean| ≤ 0.12 sd, scale within 6%)
    expect(Math.abs(results[0]!.loc - postMean)).toBeLessThan(0.25 * postSd);
    expect(Math.abs(results[0]!.scale / postSd - 1)).toBeLessThan(0.2);
  });

  it("rethrows a task's PPL error with its class and fields, and refuses a tensor in the result or the input, naming where", async () => {
    const worker = spawn("./failing.worker.ts");
    workers.push(worker);
    const err = await runInWorker<typeof failingTask>(worker, { kind: "ppl-error" }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PPLShapeError);
    expect((err as PPLShapeError).message).toBe("site 'x': wrong shape");
    expect([(err as PPLShapeError).site, (err as PPLShapeError).expected, (err as PPLShapeError).actual]).toEqual(["x", "[3]", "[2]"]);

    const tensorErr = await runInWorker<typeof failingTask>(worker, { kind: "tensor" }).result.catch((e: unknown) => e);
    expect(tensorErr).toBeInstanceOf(PPLConfigError);
    expect((tensorErr as Error).message).toContain("the task's result at value is a tensor");
    expect((tensorErr as Error).message).toContain("await t.array()");

    const t = tf.scalar(1);
    const input = { kind: "ppl-error", extra: { t } } as unknown as { kind: "ppl-error" };
    expect(() => runInWorker<typeof failingTask>(worker, input)).toThrow(/the job's input at extra\.t is a tensor/);
    t.dispose();
  });

  it("cancel() ends a task in a synchronous loop: the result rejects with PPLCancelledError and the worker exits", async () => {
    const worker = spawn("./failing.worker.ts");
    workers.push(worker);
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    let steps = 0;
    let cancel = () => {};
    const firstReport = new Promise<void>((resolve) => {
      cancel = () => resolve();
    });
    const job = runInWorker<typeof failingTask>(worker, { kind: "forever" }, { onProgress: () => { steps++; cancel(); } });
    await firstReport;
    job.cancel();
    await expect(job.result).rejects.toBeInstanceOf(PPLCancelledError);
    await expect(job.result).rejects.toThrow("the job was cancelled");
    expect(typeof (await exited)).toBe("number");
    expect(steps).toBeGreaterThan(0);
  });
});
