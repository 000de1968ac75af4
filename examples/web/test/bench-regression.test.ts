// The backend benchmark's regression job runs the compiled ELBO (docs/compiled.md): its guide draws w every
// step, and each replay makes the draw again from the seeded stream. Checked here in Node: every step after
// the first replays (exact counts, no fall-back message), and the losses are the interpreted TraceELBO's from
// the same seed, step by step (the reference path; the replayed draws' closed-form checks are
// packages/ppl-core/test/jit/compiled-draws.test.ts, on the same Normal guide).
import { afterEach, describe, expect, it, vi } from "vitest";
import { regressionRun } from "../src/bench-regression.js";

afterEach(() => vi.restoreAllMocks());

describe("the backend benchmark's regression job", () => {
  it("replays every step after the first, with the same-seed interpreted run's losses", () => {
    const warn = vi.spyOn(console, "warn");
    const compiled = regressionRun(64, 4, 12);
    // SVI made the params before its first step, which recorded; the other 14 replayed
    expect(compiled.compileStats).toEqual({ recorded: 1, replayed: 14, interpreted: 0 });
    expect(warn).not.toHaveBeenCalled();
    const interpreted = regressionRun(64, 4, 12, false);
    expect(interpreted.compileStats).toBeUndefined();
    expect(compiled.losses).toEqual(interpreted.losses);
    expect(new Set(compiled.losses).size).toBe(15);
  });
});
