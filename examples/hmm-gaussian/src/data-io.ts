/**
 * The tutorial's data file, JSON `{ "obs": number[][], "Z"?: number[][] }`,
 * and DataError, the user's-mistake error every reader throws (ppl-hmm's
 * readers are in cli-read.ts). Every problem is one line saying what and where.
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

/** The text of the data file at `path`; a DataError when it is missing, a directory or empty. */
export function readText(path: string): string {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a data file`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new DataError(`${path}: the file is empty`);
  return text;
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

/** The parsed JSON file at `path`; a DataError when it cannot be read or is not JSON. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readText(path));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

export function readJson(path: string): Signal {
  const data = readJsonFile(path);
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
