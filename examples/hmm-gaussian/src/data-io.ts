/**
 * The tutorial's data file, JSON `{ "obs": number[][], "Z"?: number[][] }`.
 * Its errors are ppl-hmm's DataError (the same messages as the tool's JSON
 * reader). Every problem is one line saying what and where.
 */
import { DataError, readJsonFile } from "ppl-hmm";

export { DataError };

export interface Signal {
  /** obs[s][t]: sequence s at time t; all sequences have the same length. */
  obs: number[][];
  /** Sequence labels (CSV headers or long-form ids). */
  labels: string[];
  /** True states, when the file has them (the reference JSON's `Z`). */
  states?: number[][];
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
