// ppl-hmm disaggregate's automatic choices (the rest's states, the meter
// weight) come from the training rows only: on two days of the shipped week,
// changing every test row's mains (even to nonsense) changes nothing of the
// choice or of any candidate's held-out score; the held-out rows are the last
// quarter of the training day; every candidate is scored; and given choices
// are kept without a held-out run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readHouse } from "../../src/disaggregate/house-csv.js";
import { METER_WEIGHT_CANDIDATES, RESIDUAL_STATES_CANDIDATES, selectModel } from "../../src/disaggregate/select-model.js";

const CSV = fileURLToPath(new URL("../../../../data/ampds2-week/house.csv", import.meta.url));
const NAMES = ["fridge", "heat_pump"];
const text = readFileSync(CSV, "utf8").trim().split("\n").slice(0, 2881).join("\n");
const data = readHouse(text, "two-days.csv", { mains: "mains", appliances: NAMES, trainUntil: "2013-11-22T00:00:00-08:00" });
const o = { states: {}, maxStates: 3, onThresholds: {}, inference: "exact" as const };

describe("selecting the rest's states and the meter weight", () => {
  it("reads only the training rows: the test rows' mains do not matter", () => {
    const a = selectModel(data.mains, data.appliances, NAMES, data.split, 60, { ...o, residualStates: "auto", meterWeight: "auto" });
    const nonsense = Float64Array.from(data.mains, (y, t) => (t < data.split ? y : 1e6 * Math.sin(t)));
    const b = selectModel(nonsense, data.appliances, NAMES, data.split, 60, { ...o, residualStates: "auto", meterWeight: "auto" });
    expect(b).toEqual(a);
    expect(a.validationRows).toBe(360);
    expect(a.candidates.map((c) => [c.residualStates, c.meterWeight])).toEqual(RESIDUAL_STATES_CANDIDATES.flatMap((K) => METER_WEIGHT_CANDIDATES.map((w) => [K, w])));
    const best = Math.max(...a.candidates.map((c) => c.teca + c.meanF1));
    const chosen = a.candidates.find((c) => c.residualStates === a.residualStates && c.meterWeight === a.meterWeight)!;
    expect(chosen.teca + chosen.meanF1).toBe(best);
  });

  it("keeps given choices and holds nothing out", () => {
    expect(selectModel(data.mains, data.appliances, NAMES, data.split, 60, { ...o, residualStates: 5, meterWeight: 0.3 }))
      .toEqual({ residualStates: 5, meterWeight: 0.3, validationRows: 0, candidates: [] });
  });
});
