/**
 * Reading a user's signal: CSV (one column per sequence, or `sequence,value`
 * long form) or JSON `{ "obs": number[][] }`. Every problem is a DataError
 * with one line saying what and where.
 */
import { existsSync, readFileSync, statSync } from "node:fs";

export class DataError extends Error {
  override readonly name = "DataError";
}

export interface Signal {
  /** obs[s][t]: sequence s at time t; all sequences have the same length. */
  obs: number[][];
  /** Sequence labels (CSV headers or long-form ids). */
  labels: string[];
  /** True states, when the file has them (the reference JSON's `Z`). */
  states?: number[][];
}

function readText(path: string): string {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a data file`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new DataError(`${path}: the file is empty`);
  return text;
}

function parseNumber(cell: string, where: string): number {
  const s = cell.trim();
  if (s === "") throw new DataError(`${where}: empty cell, expected a number`);
  const v = Number(s);
  if (Number.isNaN(v)) throw new DataError(`${where}: '${s}' is not a number`);
  if (!Number.isFinite(v)) throw new DataError(`${where}: '${s}' is not finite`);
  return v;
}

function checkShape(path: string, obs: number[][]): void {
  if (obs.length === 0) throw new DataError(`${path}: no sequences found`);
  const T = obs[0]!.length;
  obs.forEach((seq, s) => {
    if (seq.length !== T) {
      throw new DataError(`${path}: sequence ${s + 1} has ${seq.length} values but sequence 1 has ${T}; all sequences must have the same length`);
    }
  });
  if (T < 2) throw new DataError(`${path}: each sequence has ${T} value; an HMM needs at least 2 time steps`);
}

export function readCsv(path: string): Signal {
  const lines = readText(path).split(/\r?\n/).filter((l) => l.trim() !== "");
  const rows = lines.map((l) => l.split(","));
  const header = rows[0]!.map((c) => c.trim());
  const hasHeader = header.some((c) => c !== "" && Number.isNaN(Number(c)));
  if (hasHeader && header.length === 2 && header[0]!.toLowerCase() === "sequence" && header[1]!.toLowerCase() === "value") {
    return readLong(path, rows.slice(1));
  }
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length === 0) throw new DataError(`${path}: a header but no data rows`);
  const width = hasHeader ? header.length : body[0]!.length;
  const obs: number[][] = Array.from({ length: width }, () => []);
  body.forEach((row, i) => {
    const line = i + 1 + (hasHeader ? 1 : 0);
    if (row.length !== width) {
      throw new DataError(`${path}:${line}: ${row.length} cells but ${hasHeader ? "the header has" : "the first row has"} ${width}; rows must not be ragged`);
    }
    row.forEach((cell, c) => obs[c]!.push(parseNumber(cell, `${path}:${line}, column ${c + 1}`)));
  });
  checkShape(path, obs);
  return { obs, labels: hasHeader ? header : obs.map((_, s) => `seq${s + 1}`) };
}

function readLong(path: string, rows: string[][]): Signal {
  if (rows.length === 0) throw new DataError(`${path}: a header but no data rows`);
  const bySeq = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const line = i + 2;
    if (row.length !== 2) throw new DataError(`${path}:${line}: ${row.length} cells, expected 2 (sequence,value)`);
    const id = row[0]!.trim();
    if (id === "") throw new DataError(`${path}:${line}: empty sequence id`);
    const list = bySeq.get(id) ?? [];
    list.push(parseNumber(row[1]!, `${path}:${line}, column 2`));
    bySeq.set(id, list);
  });
  const obs = [...bySeq.values()];
  checkShape(path, obs);
  return { obs, labels: [...bySeq.keys()] };
}

export function readJson(path: string): Signal {
  let data: unknown;
  try {
    data = JSON.parse(readText(path));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const obs = (data as { obs?: unknown }).obs;
  if (!Array.isArray(obs) || obs.length === 0 || !obs.every((r) => Array.isArray(r))) {
    throw new DataError(`${path}: expected an object with "obs": number[][] (one array per sequence)`);
  }
  const parsed = (obs as unknown[][]).map((seq, s) =>
    seq.map((v, t) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new DataError(`${path}: obs[${s}][${t}] is ${JSON.stringify(v)}, expected a finite number`);
      }
      return v;
    }),
  );
  checkShape(path, parsed);
  const Z = (data as { Z?: unknown }).Z;
  const states =
    Array.isArray(Z) && Z.length === parsed.length && Z.every((r, s) => Array.isArray(r) && r.length === parsed[s]!.length)
      ? (Z as number[][])
      : undefined;
  return { obs: parsed, labels: parsed.map((_, s) => `seq${s + 1}`), ...(states ? { states } : {}) };
}

export function readSignal(path: string): Signal {
  return path.toLowerCase().endsWith(".json") ? readJson(path) : readCsv(path);
}
