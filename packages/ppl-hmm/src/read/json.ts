/**
 * JSON input, read whole (so a size limit applies): an array of numbers
 * (one sequence), an array of arrays or `{ "obs": number[][] }` (one
 * sequence each), an array of records (a table: `--columns`, `--group`,
 * `--time` name its keys), or an object of columns (`{ "a": [...], "b": [...] }`,
 * one sequence per key, a column may be shorter). `null` is a missing value.
 */
import { DataError, EnvironmentError, parseJson } from "../errors.js";
import { type Cell, type TableOptions, type TableSignal, TableSink, resolveColumns } from "./table.js";

/** JSON larger than this is refused (it is parsed whole); CSV is read as a stream instead. */
export const JSON_LIMIT_BYTES = 256 * 1024 * 1024;

/** What was read, and which JSON form it was. */
export interface JsonSignal extends TableSignal {
  form: string;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Columns (name → array) as table rows: row i holds each column's i-th entry; past a column's end, nothing (its end). */
function fromColumns(path: string, names: string[], cols: unknown[][], o: TableOptions, form: string): JsonSignal {
  const sink = new TableSink(path, resolveColumns(path, names, names.length, o), o, ".");
  const T = Math.max(...cols.map((c) => c.length));
  for (let t = 0; t < T; t++) sink.add(`${path}: index ${t}`, cols.map((c) => (t < c.length ? (c[t] as Cell) : undefined)));
  return { ...sink.finish(), form };
}

/** JSON of `size` bytes, refused when over the limit (before it is read). */
export function checkJsonSize(path: string, size: number): void {
  if (size > JSON_LIMIT_BYTES) {
    throw new EnvironmentError(`${path}: ${mib(size)} of JSON, over the ${mib(JSON_LIMIT_BYTES)} limit (JSON is parsed whole); write it as CSV, which is read as a stream`);
  }
}

/** The JSON text of `path` as sequences. */
export function parseJsonSignal(path: string, text: string, o: TableOptions): JsonSignal {
  checkJsonSize(path, text.length);
  const data = parseJson(path, text);
  if (Array.isArray(data)) {
    if (data.length === 0) throw new DataError(`${path}: an empty array`);
    if (data.every((v) => v === null || typeof v === "number")) return fromColumns(path, ["seq1"], [data], o, "array of numbers");
    if (data.every(Array.isArray)) return fromColumns(path, data.map((_, s) => `seq${s + 1}`), data as unknown[][], o, "array of arrays");
    if (data.every(isRecord)) {
      const names = [...new Set(data.flatMap((r) => Object.keys(r)))];
      const sink = new TableSink(path, resolveColumns(path, names, names.length, o), o, ".");
      data.forEach((rec, i) => sink.add(`${path}: record ${i + 1}`, names.map((n) => rec[n] as Cell)));
      return { ...sink.finish(), form: "array of records" };
    }
    const bad = data.findIndex((v) => !(v === null || typeof v === "number"));
    throw new DataError(`${path}: element ${bad + 1} is ${JSON.stringify(data[bad])?.slice(0, 40)}; expected an array of numbers, of arrays, or of records`);
  }
  if (isRecord(data)) {
    const obs = data.obs;
    if (Array.isArray(obs) && obs.length > 0 && obs.every(Array.isArray)) return fromColumns(path, obs.map((_, s) => `seq${s + 1}`), obs as unknown[][], o, '{ "obs": number[][] }');
    const keys = Object.keys(data);
    if (keys.length > 0 && keys.every((k) => Array.isArray(data[k]))) return fromColumns(path, keys, keys.map((k) => data[k] as unknown[]), o, "object of columns");
  }
  throw new DataError(`${path}: expected an array of numbers, an array of records, an object of columns ({ "name": [numbers] }) or { "obs": number[][] }`);
}
