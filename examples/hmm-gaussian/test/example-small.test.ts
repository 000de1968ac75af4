// The example at reduced size: the JSON result has the documented shape and the figures are written.
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accuracy } from "example-kit/sequences";
import { generate } from "../src/truth.js";
import { runTsx } from "./run.js";

/** The most likely state path of a Gaussian HMM (z_0 ~ probsInit), float64 in log space. */
function viterbiGaussian(y: readonly number[], p: { probsInit: number[]; probsTrans: number[][]; locs: number[]; scales: number[] }): number[] {
  const K = p.locs.length;
  const emit = (v: number, k: number) => -0.5 * ((v - p.locs[k]!) / p.scales[k]!) ** 2 - Math.log(p.scales[k]! * Math.sqrt(2 * Math.PI));
  let score = p.probsInit.map((q, k) => Math.log(q) + emit(y[0]!, k));
  const back: number[][] = [];
  for (let t = 1; t < y.length; t++) {
    const from = Array.from({ length: K }, (_, j) => score.reduce((best, s, i) => (s + Math.log(p.probsTrans[i]![j]!) > score[best]! + Math.log(p.probsTrans[best]![j]!) ? i : best), 0));
    score = from.map((i, j) => score[i]! + Math.log(p.probsTrans[i]![j]!) + emit(y[t]!, j));
    back.push(from);
  }
  const path = [score.indexOf(Math.max(...score))];
  for (let t = back.length - 1; t >= 0; t--) path.unshift(back[t]![path[0]!]!);
  return path;
}

describe("examples/hmm-gaussian (a few steps)", () => {
  it("prints one JSON object on stdout and writes the four figures as SVG and PNG", () => {
    const out = mkdtempSync(join(tmpdir(), "hmm-small-"));
    const r = runTsx("main.ts", ["--json", "--steps", "4", "--restarts", "2", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result.config).toMatchObject({ states: 3, steps: 4, restarts: 2, numSeqs: 30, T: 120 });
    expect(result.finalLossPerRestart).toHaveLength(2);
    expect(result.lossCurve).toHaveLength(4);
    expect(Number.isFinite(result.bestLoss)).toBe(true);
    expect(result.bestLoss).toBe(Math.min(...result.finalLossPerRestart));
    for (const key of ["probsInit", "probsTrans", "locs", "scales"]) expect(result.params).toHaveProperty(key);
    // sorted by mean (label switching)
    expect([...result.params.locs].sort((a: number, b: number) => a - b)).toEqual(result.params.locs);
    expect(result.decoded[0].states).toHaveLength(160);
    // the accuracy is that of the float64 Viterbi path of the learned params against the test sequence's true states
    const test = generate(1, 160, 77);
    const path = viterbiGaussian(test.obs[0]!, result.params);
    expect(result.accuracy).toBe(accuracy(result.decoded[0].states, test.states[0]!));
    expect(Math.abs(result.accuracy - accuracy(path, test.states[0]!))).toBeLessThanOrEqual(1 / 160); // a float32 near-tie at most
    expect(["wasm", "cpu", "tensorflow"]).toContain(result.backend);
    expect(result.timings.totalSeconds).toBeGreaterThan(0);
    for (const name of ["1-sequence", "2-loss", "3-emissions", "4-segmentation"]) {
      for (const ext of ["svg", "png"]) {
        const f = join(out, `${name}.${ext}`);
        expect(existsSync(f), f).toBe(true);
        expect(statSync(f).size).toBeGreaterThan(1000);
      }
    }
    expect(r.stderr).toMatch(/ppl backend: (wasm|cpu|tensorflow)/);
  });

  it("takes its options after pnpm's '--' too, and rejects stray arguments with exit code 2", () => {
    const out = mkdtempSync(join(tmpdir(), "hmm-dashes-"));
    const r = runTsx("main.ts", ["--", "--json", "--steps", "2", "--restarts", "1", "--no-figures", "--form", "discrete-hmm", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()).config).toMatchObject({ steps: 2, restarts: 1, form: "discrete-hmm" });
    const stray = runTsx("main.ts", ["data.json"]);
    expect(stray.status).toBe(2);
    expect(stray.stderr).toMatch(/unexpected arguments: data\.json \(to read a data file, use --data file\.json\)/);
  });

  it("learns with the compiled ELBO, without a fall-back message; --interpreted gives the same loss curve", () => {
    const args = ["--json", "--steps", "6", "--restarts", "1", "--no-figures", "--out", mkdtempSync(join(tmpdir(), "hmm-jit-"))];
    const compiled = runTsx("main.ts", args);
    const interpreted = runTsx("main.ts", [...args, "--interpreted"]);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(interpreted.status, interpreted.stderr).toBe(0);
    expect(compiled.stderr).toMatch(/on JitTraceEnumELBO/);
    expect(compiled.stderr).not.toMatch(/runs this loss interpreted/);
    expect(interpreted.stderr).toMatch(/on TraceEnumELBO/);
    const curve = (r: { stdout: string }) => JSON.parse(r.stdout.trim()).lossCurve as number[];
    const want = curve(interpreted);
    curve(compiled).forEach((l, i) => expect(Math.abs(l - want[i]!) / Math.abs(want[i]!), `step ${i + 1}`).toBeLessThan(1e-5));
  });
});
