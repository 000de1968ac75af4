// The example as a user runs it: `pnpm example:hmm-family -- --model N ...` in a child process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULTS, OptionsError, parseOptions } from "../src/options.js";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function run(args: string[]) {
  const tsx = join(exampleDir, "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, [join(exampleDir, "src", "main.ts"), ...args], {
    cwd: exampleDir, encoding: "utf8", timeout: 120_000, env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = ["--sequences", "4", "--test-sequences", "3", "--length", "5", "--tones", "3", "--hidden", "2", "--steps", "3"];

describe("examples/hmm-family command line", () => {
  it("--json prints one result object: the loss per step and the held-out log-likelihood", () => {
    const r = run(["--", "--model", "6", "--raftery", "--json", "--no-figures", ...small]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result.model).toBe(6);
    expect(result.options).toMatchObject({ model: 6, raftery: true, steps: 3, sequences: 4, length: 5, tones: 3, hidden: 2 });
    expect(result.losses).toHaveLength(3);
    expect(result.testLogLikelihood).toBeCloseTo(-result.testLoss, 10);
    // 3 tones: -log p per step lies between 0 and a few nats per tone
    expect(result.testLoss).toBeGreaterThan(0);
    expect(result.testLoss).toBeLessThan(3 * 10);
    // Raftery: probs_x1, probs_x2 (2 × 2 each), mix_lambda, probs_y (2 × 3)
    expect(result.capacity).toBe(4 + 4 + 1 + 6);
    expect(r.stderr).toMatch(/ppl backend: (wasm|cpu|tensorflow)/);
    expect(result.figures).toEqual([]);
  });

  it("--model 3 writes its two figures (loss per step, a training sequence) as SVG and PNG under --out", () => {
    const out = mkdtempSync(join(tmpdir(), "hmm-family-"));
    const r = run(["--model", "3", "--json", "--out", out, ...small]);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim());
    const want = ["1-loss", "2-sequence"].flatMap((name) => ["svg", "png"].map((ext) => join(out, `${name}.${ext}`)));
    expect(result.figures).toEqual(want);
    for (const f of want) expect(statSync(f).size, f).toBeGreaterThan(1000);
  });

  it("prints the loss of every step and the held-out score", () => {
    const r = run(["--model", "2", "--no-figures", ...small]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Step\tLoss\n\s+0\t[\d.]+\n\s+1\t[\d.]+\n\s+2\t[\d.]+\n/);
    expect(r.stdout).toMatch(/held-out loss = [\d.]+ \(log-likelihood -[\d.]+ per step\)/);
  });

  it("options: defaults, pnpm's leading '--', and a message naming the bad option", () => {
    const { out, ...rest } = DEFAULTS;
    expect(parseOptions([])).toMatchObject({ ...rest, raftery: false, json: false, figures: true });
    expect(parseOptions([]).out.endsWith(out)).toBe(true);
    expect(() => parseOptions(["--out", ""])).toThrow(/--out: expected a directory for the figures/);
    expect(parseOptions(["--", "-m", "4", "--batch-size", "2"])).toMatchObject({ model: 4, batchSize: 2 });
    expect(() => parseOptions(["--model", "8"])).toThrow(/--model: must be one of 0, 1, 2, 3, 4, 5, 6, 7/);
    expect(() => parseOptions(["--test-sequences", "0"])).toThrow(/--test-sequences: /);
    expect(() => parseOptions(["--hidden-dim", "4"])).toThrow(OptionsError);
  });
});
