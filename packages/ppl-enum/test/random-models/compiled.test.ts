// The random small models of random-models.test.ts (spec.ts) through JitTraceEnumELBO: every replayed loss and
// gradient, at moved param values, against the same float64 brute-force enumeration (check.ts, checkCompiledElbo);
// a guide that draws replays its draws from a seed, checked against the oracle at the draw a same-seed
// interpreted run scored. A spec with neither continuous latents nor sequential enumeration in the model must
// replay (sequential enumeration in the model compares its runs' factors in JS, a param-dependent read: such a
// spec may run interpreted, as may one whose continuous prior reads its bounds); most specs whose sampling
// autoguide draws must replay too.
// Replay one case: RANDOM_MODELS_SEED=123 pnpm vitest run packages/ppl-enum/test/random-models/compiled.test.ts
import { describe, expect, it } from "vitest";
import { setValidation } from "ppl-core";
import { checkCompiledElbo } from "./check.js";
import { ALL_FEATURES, generateSpec } from "./spec.js";

const ONE = process.env.RANDOM_MODELS_SEED;
const N = Number(process.env.RANDOM_MODELS_COMPILED_N ?? 120);
const seeds = ONE === undefined ? Array.from({ length: N }, (_, i) => i) : [Number(ONE)];

describe("random models through JitTraceEnumELBO against brute force", () => {
  it(`seeds ${seeds[0]}..${seeds[seeds.length - 1]}: replayed losses and gradients equal the float64 enumeration`, () => {
    setValidation(true);
    const warn = console.warn;
    const reasons = new Map<string, number>();
    // the fallbacks' one-time messages (one compiled loss per spec), counted by reason
    console.warn = (m: string) => reasons.set(m.replace(/^.*\(not compiled\): /, ""), (reasons.get(m.replace(/^.*\(not compiled\): /, "")) ?? 0) + 1);
    const failures: string[] = [];
    const counts = { replayed: 0, interpreted: 0, other: 0 };
    const drawing = { specs: 0, replayed: 0 };
    try {
      for (const seed of seeds) {
        const spec = generateSpec(seed, ALL_FEATURES);
        const { outcomes, compiled } = checkCompiledElbo(spec);
        counts[compiled]++;
        const continuous = (spec.continuous ?? []).length > 0;
        const plain = !continuous && !spec.sites.some((s) => s.sequential === true && s.enumerate === "model");
        if (continuous && (spec.autoguide ?? "delta") !== "delta") {
          drawing.specs++;
          if (compiled === "replayed") drawing.replayed++;
        }
        if (compiled === "other" || (plain && compiled !== "replayed")) failures.push(`seed ${seed}: ${compiled}, not replayed`);
        for (const o of outcomes) if (o.status !== "ok") failures.push(`seed ${seed} ${o.check}: ${"detail" in o ? o.detail : o.message}`);
      }
    } finally {
      console.warn = warn;
    }
    if (failures.length > 0 || ONE !== undefined) console.log(failures.join("\n"), counts, drawing, reasons);
    expect(failures).toEqual([]);
    // what runs interpreted does so for the recorder's reasons only: a read of a param-dependent value or of a draw, a JS sampler
    for (const reason of reasons.keys()) expect(reason).toMatch(/read a value that depends on a (param|draw)|JS generator|made from JS values|took a seed/);
    if (ONE === undefined) {
      expect(counts.replayed).toBeGreaterThan(seeds.length / 4);
      expect(drawing.specs).toBeGreaterThan(5);
      expect(drawing.replayed).toBeGreaterThan(drawing.specs / 2);
    }
    // 120 specs each record, replay and decode: ~40 s on a quiet machine, past the suite's 120 s on a loaded one
  }, 600_000);
});
