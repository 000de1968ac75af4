// The generated polyphonic data has the shape of hmm.py's chorales: 0/1 tones, varying lengths, zero padding.
import { describe, expect, it } from "vitest";
import { randomChordHmm, sampleSequences } from "../src/data.js";

describe("generated polyphonic data", () => {
  const hmm = randomChordHmm(4, 6, 3);
  const data = sampleSequences(hmm, 40, 12, 3);

  it("draws a row-stochastic chord HMM", () => {
    for (const row of hmm.transitions) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const probs of hmm.tones) for (const p of probs) expect(p > 0 && p < 1).toBe(true);
  });

  it("gives binary sequences of lengths in [max/2, max], zero past each length, the first spanning the padding", () => {
    expect(data.sequences).toHaveLength(40);
    expect(data.lengths[0]).toBe(12);
    expect(new Set(data.lengths).size).toBeGreaterThan(2);
    data.sequences.forEach((seq, n) => {
      const length = data.lengths[n]!;
      expect(length >= 6 && length <= 12).toBe(true);
      expect(seq).toHaveLength(12);
      seq.forEach((step, t) => {
        expect(step).toHaveLength(6);
        for (const v of step) expect(v === 0 || v === 1).toBe(true);
        if (t >= length) expect(step.every((v) => v === 0)).toBe(true);
      });
    });
    // some tones sound: the chords are not silent
    expect(data.sequences.flat(2).filter((v) => v === 1).length).toBeGreaterThan(40);
  });

  it("is reproducible from its seed and differs across seeds", () => {
    expect(sampleSequences(hmm, 40, 12, 3)).toEqual(data);
    expect(sampleSequences(hmm, 40, 12, 4)).not.toEqual(data);
  });
});
