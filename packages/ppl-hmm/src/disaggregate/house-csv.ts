/**
 * A household meter CSV for disaggregation: a `timestamp` column (ISO 8601
 * with an offset, one row per step, no gaps), the mains column and one
 * sub-metered column per appliance (watts). Rows before `trainUntil` train
 * (mains and every sub-meter must be numbers there); from it on only the
 * timestamp and the mains are read, and the sub-meters, when every test row
 * has them, score the result. Every refusal names the row, the column and
 * what is valid, before any work starts.
 */

import { DataError } from "../errors.js";

/** What the command reads from the file. */
export interface HouseData {
  readonly timestamps: string[];
  /** The sampling step, seconds. */
  readonly stepSeconds: number;
  /** Index of the first test row. */
  readonly split: number;
  readonly mains: Float64Array;
  /** Per appliance, its sub-meter on every row (NaN where a test row leaves it empty). */
  readonly appliances: Float64Array[];
  /** True when every test row has every sub-meter (metrics can be computed). */
  readonly testHasTruth: boolean;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 time with an offset; NaN when it is not one. */
export function parseTime(text: string): number {
  return ISO_WITH_OFFSET.test(text) ? Date.parse(text) : NaN;
}

/** The file's header and rows as cells (commas; a trailing empty line ignored). */
function cells(text: string, path: string): { header: string[]; rows: string[][] } {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length < 2) throw new DataError(`${path}: needs a header and at least one data row`);
  const header = lines[0]!.split(",").map((h) => h.trim());
  const rows = lines.slice(1).map((l, i) => {
    const r = l.split(",");
    if (r.length !== header.length) throw new DataError(`${path}: line ${i + 2} has ${r.length} fields, the header has ${header.length}`);
    return r;
  });
  return { header, rows };
}

/** Reads and checks the file: columns exist, times parse and step evenly, --train-until splits it, training values are numbers. */
export function readHouse(text: string, path: string, o: { mains: string; appliances: readonly string[]; trainUntil: string }): HouseData {
  const { header, rows } = cells(text, path);
  const col = (name: string, what: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError(`${path}: no ${what} column '${name}'; the columns are ${header.join(", ")}`);
    return i;
  };
  const tCol = col("timestamp", "time");
  const mCol = col(o.mains, "mains (--mains)");
  const aCols = o.appliances.map((a) => col(a, "appliance (--appliances)"));
  const times = rows.map((r, i) => {
    const t = parseTime(r[tCol]!.trim());
    if (Number.isNaN(t)) throw new DataError(`${path}: line ${i + 2}: timestamp '${r[tCol]}' is not ISO 8601 with an offset (e.g. 2013-11-21T00:00:00-08:00)`);
    return t;
  });
  if (times.length < 3) throw new DataError(`${path}: needs at least 3 rows, has ${times.length}`);
  const step = times[1]! - times[0]!;
  if (!(step > 0)) throw new DataError(`${path}: line 3: timestamps must increase (${rows[1]![tCol]} follows ${rows[0]![tCol]})`);
  for (let i = 2; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d !== step) {
      throw new DataError(
        `${path}: line ${i + 2}: a ${d > step ? "gap" : "step"} of ${d / 1000} s after ${rows[i - 1]![tCol]}, the file steps by ${step / 1000} s; ` +
          "the time index must be even and complete (fill or cut the gap first)",
      );
    }
  }
  const until = parseTime(o.trainUntil);
  if (Number.isNaN(until)) throw new DataError(`--train-until '${o.trainUntil}' is not ISO 8601 with an offset (e.g. 2013-11-25T00:00:00-08:00)`);
  const split = times.findIndex((t) => t >= until);
  const first = rows[0]![tCol]!;
  const last = rows[rows.length - 1]![tCol]!;
  if (split <= 0) {
    throw new DataError(
      `--train-until ${o.trainUntil} is ${split === 0 ? "at or before the first row" : "after the last row"} (${first} .. ${last}): ` +
        "it must leave training rows before it and test rows from it on",
    );
  }
  const number = (r: string[], i: number, c: number, name: string, required: boolean) => {
    const s = r[c]!.trim();
    if (s === "" && !required) return NaN;
    const v = Number(s);
    if (s === "" || !Number.isFinite(v)) {
      throw new DataError(`${path}: line ${i + 2}: ${name} is '${s}', expected a number of watts${required ? "" : " or empty"}`);
    }
    return v;
  };
  const mains = Float64Array.from(rows, (r, i) => number(r, i, mCol, o.mains, true));
  const appliances = aCols.map((c, m) => Float64Array.from(rows, (r, i) => number(r, i, c, o.appliances[m]!, i < split)));
  const testHasTruth = appliances.every((a) => a.subarray(split).every((v) => !Number.isNaN(v)));
  return { timestamps: rows.map((r) => r[tCol]!.trim()), stepSeconds: step / 1000, split, mains, appliances, testHasTruth };
}
