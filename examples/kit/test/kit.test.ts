import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userPath, withoutPnpmSeparator } from "../src/cli.js";
import { bestOfRestarts } from "../src/restarts.js";
import { drawIndex, sampleHmm } from "../src/sampling.js";
import { accuracy, mapByLength } from "../src/sequences.js";
import { stageTimings } from "../src/timings.js";

describe("cli", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("userPath resolves a relative path against INIT_CWD, keeps an absolute one", () => {
    vi.stubEnv("INIT_CWD", "/home/user/project");
    expect(userPath("out/figs")).toBe("/home/user/project/out/figs");
    expect(userPath("/tmp/x")).toBe("/tmp/x");
  });

  it("userPath falls back to the current folder without INIT_CWD", () => {
    vi.stubEnv("INIT_CWD", "");
    expect(userPath("a")).toBe(join(process.cwd(), "a"));
  });

  it("withoutPnpmSeparator drops only a leading '--' and copies", () => {
    const argv = ["--", "--json", "--"];
    expect(withoutPnpmSeparator(argv)).toEqual(["--json", "--"]);
    expect(withoutPnpmSeparator(["--json", "--"])).toEqual(["--json", "--"]);
    const same = ["a"];
    expect(withoutPnpmSeparator(same)).not.toBe(same);
  });
});

describe("bestOfRestarts", () => {
  it("keeps the lowest final loss, the earlier restart on a tie, and every run in order", () => {
    const losses = [3, 1, 2, 1];
    const { best, runs } = bestOfRestarts(4, (r) => ({ r, finalLoss: losses[r]! }));
    expect(runs.map((x) => x.r)).toEqual([0, 1, 2, 3]);
    expect(best.r).toBe(1);
  });
});

describe("mapByLength", () => {
  it("calls once per length with the sequences in input order and puts results back", () => {
    const ys = [[1, 2], [3], [4, 5], [6, 7, 8], [9]];
    const calls: [number, number[][]][] = [];
    const out = mapByLength(ys, (group, T) => {
      calls.push([T, group]);
      return group.map((y) => y.reduce((a, b) => a + b, 0) * 10 + T);
    });
    expect(out).toEqual([32, 31, 92, 213, 91]);
    expect(calls).toEqual([
      [2, [[1, 2], [4, 5]]],
      [1, [[3], [9]]],
      [3, [[6, 7, 8]]],
    ]);
  });
});

describe("accuracy", () => {
  it("is the fraction of equal steps over the truth's length", () => {
    expect(accuracy([0, 1, 1, 2], [0, 1, 2, 2])).toBe(0.75);
    expect(accuracy([1, 1], [0, 0])).toBe(0);
  });
});

describe("stageTimings", () => {
  it("turns four millisecond readings into seconds per stage", () => {
    expect(stageTimings(1000, 3500, 4000, 9000)).toEqual({ learnSeconds: 2.5, decodeSeconds: 0.5, figuresSeconds: 5, totalSeconds: 8 });
  });
});

describe("drawIndex", () => {
  it("inverts the CDF: [0.2, 0.5, 0.3] has edges at 0.2 and 0.7", () => {
    const p = [0.2, 0.5, 0.3];
    expect([0, 0.19, 0.2, 0.69, 0.7, 0.999].map((u) => drawIndex(p, u))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("gives the last index when rounding leaves the sum below u", () => {
    expect(drawIndex([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], 0.9999999999999999)).toBe(9);
  });
});

describe("sampleHmm", () => {
  it("draws z_0, y_0, z_1, y_1, … from one rng, each sequence in turn", () => {
    // a scripted rng: the uniforms 0.00, 0.01, 0.02, … in order
    let i = 0;
    const rng = () => (i++) / 100;
    // state 0 starts below u = 0.5; from 0 the chain stays below u = 0.03, from 1 it stays below u = 0.05
    const draws = sampleHmm(2, 3, rng, [0.5, 0.5], [[0.03, 0.97], [0.95, 0.05]], (z) => 10 * z + rng());
    // uniforms per sequence: z_0 u0, y_0 u1, z_1 u2, y_1 u3, z_2 u4, y_2 u5; then u6 … u11
    // seq 0: z_0 = 0 (0.00 < 0.5), z_1 = 0 (0.02 < 0.03), z_2 from row 0 at 0.04 → 1
    // seq 1: z_0 = 0 (0.06), z_1 from row 0 at 0.08 → 1, z_2 from row 1 at 0.10 (< 0.95) → 0
    expect(draws.states).toEqual([[0, 0, 1], [0, 1, 0]]);
    expect(draws.obs).toEqual([[0.01, 0.03, 10.05], [0.07, 10.09, 0.11]]);
  });
});
