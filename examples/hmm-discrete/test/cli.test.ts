// The program as a user runs it: `--json` prints one object of the documented shape and the four
// figures are written; bad options get one error line naming the option, exit code 2.
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OptionError, parseOptions } from "../src/options.js";
import { accuracy } from "example-kit/sequences";
import { DATA_DEFAULTS } from "../src/run.js";
import { TRUTHS, generate } from "../src/truth.js";
import { viterbi } from "./oracle.js";
import { runTsx } from "./run.js";

describe("hmm-discrete --json (a few steps)", () => {
  it("prints one JSON object with params, trueParams, accuracy, oracleAccuracy, bestLoss, … and writes the figures", () => {
    const out = mkdtempSync(join(tmpdir(), "hmm-discrete-"));
    // pnpm's "--" before the options is skipped
    const r = runTsx("main.ts", ["--", "--json", "--states", "2", "--steps", "3", "--restarts", "2", "--seed", "5", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result.config).toMatchObject({ states: 2, steps: 3, restarts: 2, seed: 5, lr: 0.1, numSeqs: 50, T: 100, testT: 2000 });
    expect(result.trueParams).toEqual(TRUTHS[2].params);
    expect(result.stateNames).toEqual(["rainy", "sunny"]);
    expect(result.symbols).toEqual(["walk", "shop", "clean"]);
    const rowsSumToOne = (rows: number[][]) => rows.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    expect(result.params.probsInit).toHaveLength(2);
    expect(rowsSumToOne([result.params.probsInit, ...result.params.probsTrans, ...result.params.probsEmit])).toBe(true);
    expect(result.params.probsEmit[0]).toHaveLength(3);
    expect([...result.relabelOrder].sort()).toEqual([0, 1]);
    // both accuracies against the held-out sequence the example draws (testT days, testSeed), decoded by a float64
    // Viterbi: with the true 2-state params (the oracle), and with the learned params relabelled as the example does
    const test = generate(1, DATA_DEFAULTS.testT, DATA_DEFAULTS.testSeed, TRUTHS[2].params);
    expect(result.oracleAccuracy).toBe(accuracy(viterbi(test.obs[0]!, TRUTHS[2].params), test.states[0]!));
    expect(Math.abs(result.accuracy - accuracy(viterbi(test.obs[0]!, result.params), test.states[0]!))).toBeLessThanOrEqual(1 / 2000);
    expect(result.finalLossPerRestart).toHaveLength(2);
    expect(result.bestLoss).toBe(Math.min(...result.finalLossPerRestart));
    expect(result.finalLossPerRestart[result.bestRestart]).toBe(result.bestLoss);
    expect(result.lossCurve).toHaveLength(3);
    for (const key of ["maxInitError", "maxTransError", "maxEmitError"]) expect(result.errors[key], key).toBeGreaterThanOrEqual(0);
    expect(["wasm", "cpu", "tensorflow"]).toContain(result.backend);
    expect(result.wallSeconds).toBeGreaterThan(result.timings.learnSeconds);
    for (const name of ["1-sequence", "2-loss", "3-emissions", "4-decoded"]) {
      for (const ext of ["svg", "png"]) {
        const f = join(out, `${name}.${ext}`);
        expect(result.figures).toContain(f);
        expect(statSync(f).size, f).toBeGreaterThan(1000);
      }
    }
    expect(r.stderr).toMatch(/ppl backend: (wasm|cpu|tensorflow)/);
  });

  it("rejects a bad option with one error line naming it and exit code 2, before any work", () => {
    const out = mkdtempSync(join(tmpdir(), "hmm-discrete-bad-"));
    const r = runTsx("main.ts", ["--steps", "ten", "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual(["hmm-discrete: error: --steps: expected a whole number of SVI steps ≥ 1, got 'ten'"]);
    expect(existsSync(join(out, "1-sequence.svg"))).toBe(false);
  });
});

describe("parseOptions", () => {
  it("gives the defaults and reads every option", () => {
    expect(parseOptions([])).toMatchObject({ states: 3, steps: 300, lr: 0.1, restarts: 3, seed: 0, json: false, figures: true });
    const o = parseOptions(["--states", "2", "--steps", "7", "--lr", "0.02", "--restarts", "1", "--seed=-3", "--json", "--no-figures", "--out", "/tmp/x"]);
    expect(o).toEqual({ states: 2, steps: 7, lr: 0.02, restarts: 1, seed: -3, json: true, figures: false, out: "/tmp/x" });
  });

  const bad: [string[], string][] = [
    [["--states", "4"], "--states: expected 2 or 3 (the hidden states of a truth in truth.ts), got '4'"],
    [["--states", "two"], "--states: expected 2 or 3 (the hidden states of a truth in truth.ts), got 'two'"],
    [["--steps", "0"], "--steps: expected a whole number of SVI steps ≥ 1, got '0'"],
    [["--steps", "2.5"], "--steps: expected a whole number of SVI steps ≥ 1, got '2.5'"],
    [["--lr=-0.1"], "--lr: expected a positive, finite learning rate, got '-0.1'"],
    [["--lr", "Infinity"], "--lr: expected a positive, finite learning rate, got 'Infinity'"],
    // parseArgs takes "-0.1" after --lr for an option: its message names the option and the fix
    [["--lr", "-0.1"], "Option '--lr' argument is ambiguous"],
    [["--restarts", "0"], "--restarts: expected a whole number of restarts ≥ 1, got '0'"],
    [["--seed", "x"], "--seed: expected an integer seed, got 'x'"],
    [["--out", ""], "--out: expected a directory for the figures"],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(" ")}`, () => {
      expect(() => parseOptions(argv)).toThrow(OptionError);
      expect(() => parseOptions(argv)).toThrow(message);
    });
  }

  it("rejects unknown options and stray arguments, listing the options", () => {
    expect(() => parseOptions(["--stats", "3"])).toThrow(/Unknown option '--stats'.*\(options: --states --steps --lr --restarts --seed --out --json --no-figures\)/);
    expect(() => parseOptions(["data.json"])).toThrow(/Unexpected argument 'data\.json'/);
  });
});
