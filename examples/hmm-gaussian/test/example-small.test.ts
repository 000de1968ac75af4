// The example at reduced size: the JSON result has the documented shape and the figures are written.
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runTsx } from "./run.js";

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
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
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
});
