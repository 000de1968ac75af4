// ppl-hmm disaggregate's manners: refusals before any work (each naming
// the option, column or line and what is valid), and one run on two days of
// the shipped week writing the promised files (header, one row per test row
// in input order, metrics present when the test rows have their sub-meters).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../../src/disaggregate/command.js";
import { parseDisaggregateOptions } from "../../src/disaggregate/options.js";
import { readHouse } from "../../src/disaggregate/house-csv.js";
import { METER_WEIGHT_CANDIDATES } from "../../src/disaggregate/select-model.js";
import { DataError } from "../../src/errors.js";

const CSV = fileURLToPath(new URL("../../../../data/ampds2-week/house.csv", import.meta.url));
const lines = readFileSync(CSV, "utf8").trim().split("\n");
const APPS = ["fridge", "heat_pump"];
const opts = { mains: "mains", appliances: APPS, trainUntil: "2013-11-22T00:00:00-08:00" };

describe("refusals before any work", () => {
  const text = lines.slice(0, 2001).join("\n");
  it("names a missing column, listing the columns there are", () => {
    expect(() => readHouse(text, "h.csv", { ...opts, appliances: ["fridge", "kettle"] })).toThrowError(/no appliance \(--appliances\) column 'kettle'; the columns are timestamp, mains/);
  });
  it("names the line of a gap in the time index", () => {
    const gap = [...lines.slice(0, 11), ...lines.slice(12, 2001)].join("\n");
    expect(() => readHouse(gap, "h.csv", opts)).toThrowError(/h.csv: line 12: a gap of 120 s after 2013-11-21T00:09:00-08:00/);
  });
  it("refuses --train-until outside the data or not ISO 8601 with an offset", () => {
    expect(() => readHouse(text, "h.csv", { ...opts, trainUntil: "2013-12-01T00:00:00-08:00" })).toThrowError(/after the last row/);
    expect(() => readHouse(text, "h.csv", { ...opts, trainUntil: "2013-11-21T00:00:00-08:00" })).toThrowError(/at or before the first row/);
    expect(() => readHouse(text, "h.csv", { ...opts, trainUntil: "2013-11-22 00:00" })).toThrowError(DataError);
  });
  it("refuses a training value that is not a number, naming the line and column", () => {
    const bad = [...lines.slice(0, 5), lines[5]!.replace(/,(\d+)$/, ",x"), ...lines.slice(6, 2001)].join("\n");
    expect(() => readHouse(bad, "h.csv", opts)).toThrowError(/line 6: heat_pump is 'x', expected a number of watts/);
  });
  it("refuses bad options by name", () => {
    const base = ["d.csv", "--appliances", "a,b", "--train-until", "2013-11-22T00:00:00-08:00"];
    expect(() => parseDisaggregateOptions(["d.csv", "--train-until", "x"])).toThrowError(/--appliances is required/);
    expect(() => parseDisaggregateOptions([...base, "--states", "c=3"])).toThrowError(/--states: 'c' is not one of --appliances \(a, b\)/);
    expect(() => parseDisaggregateOptions([...base, "--states", "a=9"])).toThrowError(/--states a '9': expected a whole number from 2 to 8/);
    expect(() => parseDisaggregateOptions([...base, "--inference", "fast"])).toThrowError(/--inference 'fast': expected exact or approx/);
    expect(() => parseDisaggregateOptions([...base, "--residual-states", "0"])).toThrowError(/--residual-states '0': expected a whole number from 1 to 16/);
    expect(() => parseDisaggregateOptions([...base, "--meter-weight", "0"])).toThrowError(/--meter-weight '0': expected auto or a number W with 0 < W ≤ 1/);
    expect(() => parseDisaggregateOptions([...base, "--meter-weight", "1.5"])).toThrowError(/--meter-weight '1.5'/);
    expect(parseDisaggregateOptions(base)).toMatchObject({ residualStates: "auto", meterWeight: "auto" });
    expect(parseDisaggregateOptions([...base, "--residual-states", "7", "--meter-weight", "0.25"])).toMatchObject({ residualStates: 7, meterWeight: 0.25 });
    expect(() => parseDisaggregateOptions([...base, "--bogus"])).toThrowError(/--bogus/);
  });
});

describe("a run on two days of the shipped week", () => {
  it("writes disaggregation.csv, model.json and metrics.json; --json prints one result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "disaggregate-"));
    const data = join(dir, "two-days.csv");
    writeFileSync(data, `${lines.slice(0, 2881).join("\n")}\n`);
    const out = join(dir, "out");
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (printed.push(s), true)) as typeof process.stdout.write;
    try {
      await run([data, "--appliances", APPS.join(","), "--train-until", "2013-11-22T00:00:00-08:00", "--out", out, "--no-figures", "--json", "--residual-states", "4"]);
    } finally {
      process.stdout.write = write;
    }
    const result = JSON.parse(printed.join("")) as { testRows: number; metrics: { teca: number } };
    expect(result.testRows).toBe(1440);
    const csv = readFileSync(join(out, "disaggregation.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("timestamp,fridge,heat_pump");
    expect(csv).toHaveLength(1441);
    expect(csv[1]!.startsWith("2013-11-22T00:00:00-08:00,")).toBe(true);
    const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as {
      appliances: { name: string; levelsW: number[] }[]; residual: { states: number }; meterWeight: number;
      selection: { validationRows: number; candidates: { residualStates: number; meterWeight: number }[] };
    };
    expect(model.appliances.map((a) => a.name)).toEqual(APPS);
    expect(model.residual.states).toBe(4);
    // --residual-states given, the meter weight chosen on the last quarter of the one training day
    expect(model.selection.validationRows).toBe(360);
    expect(model.selection.candidates.map((c) => [c.residualStates, c.meterWeight])).toEqual(METER_WEIGHT_CANDIDATES.map((w) => [4, w]));
    expect(METER_WEIGHT_CANDIDATES).toContain(model.meterWeight);
    expect(existsSync(join(out, "metrics.json"))).toBe(true);
    expect(result.metrics.teca).toBeGreaterThan(0.5);
  });
});
