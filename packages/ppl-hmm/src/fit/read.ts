/**
 * ppl-hmm's reader: a CSV with one column per sequence (columns may differ
 * in length; pick columns with `columns`), the long form `sequence,value`,
 * or JSON `{ "obs": number[][] }`. It decides about the header row
 * (`header: "auto"` says why), drops or rejects missing cells, and reports
 * what it read in one line. Every problem is a DataError naming the line,
 * the column and the value.
 */
import { DataError, parseJson } from "../errors.js";

/** `--header`: is the CSV's first row a header (auto: decided by `decideHeader`). */
export type HeaderMode = "yes" | "no" | "auto";
/** `--missing`: stop at a missing cell, or drop it. */
export type MissingMode = "drop" | "error";

/** How to read a file (from the command line). */
export interface ReadOptions {
  header: HeaderMode;
  missing: MissingMode;
  /** Column names or 1-based indices to use; default every column. */
  columns?: readonly string[];
}

/** What was read, and how: everything the "read" line reports. */
export interface ReadSignal {
  /** seqs[s][t], in the data's units; lengths may differ. */
  seqs: number[][];
  labels: string[];
  /** Whether the first row was taken as a header, and why (auto). */
  header: { used: boolean; why: string };
  /** Missing (empty, NaN, NA) cells dropped, per sequence label. */
  dropped: Map<string, number>;
  format: "wide CSV" | "long CSV (sequence,value)" | "JSON";
}

const MISSING = new Set(["", "nan", "na", "n/a", "null", "none", "-"]);

function isNumber(cell: string): boolean {
  const s = cell.trim();
  return s !== "" && !MISSING.has(s.toLowerCase()) && Number.isFinite(Number(s));
}

function unquote(cell: string): string {
  const s = cell.trim();
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s;
}

/** Split one CSV line, keeping commas inside double quotes. */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(unquote(cur));
      cur = "";
    } else cur += ch;
  }
  out.push(unquote(cur));
  return out;
}

/**
 * `auto`: a header when any cell of the first row is not a number, or when
 * its numbers look like labels the data contradicts: at least two columns,
 * strictly increasing integers (years, 1 2 3 …), each outside the range of
 * the values below it in its column.
 */
export function decideHeader(first: readonly string[], body: readonly (readonly string[])[], mode: HeaderMode): { used: boolean; why: string } {
  if (mode === "yes") return { used: true, why: "--header yes" };
  if (mode === "no") return { used: false, why: "--header no" };
  const text = first.find((c) => c.trim() !== "" && !isNumber(c));
  if (text !== undefined) return { used: true, why: `auto: '${text}' in the first row is not a number` };
  const nums = first.map((c) => Number(c));
  const increasingIntegers = nums.length >= 2 && nums.every((v, i) => Number.isInteger(v) && (i === 0 || v > nums[i - 1]!));
  if (increasingIntegers && body.length > 0) {
    const outside = nums.every((h, c) => {
      const col = body.map((r) => r[c] ?? "").filter(isNumber).map(Number);
      return col.length > 0 && (h < Math.min(...col) || h > Math.max(...col));
    });
    if (outside) return { used: true, why: `auto: the first row (${first.join(",")}) is increasing integers outside every column's values, so it labels the columns` };
  }
  return { used: false, why: "auto: the first row is numeric like the data" };
}

function pickColumns(path: string, header: readonly string[] | undefined, width: number, columns: readonly string[] | undefined): number[] {
  if (columns === undefined) return Array.from({ length: width }, (_, c) => c);
  return columns.map((name) => {
    const byName = header?.findIndex((h) => h.trim() === name.trim()) ?? -1;
    if (byName >= 0) return byName;
    const i = Number(name);
    if (Number.isInteger(i) && i >= 1 && i <= width) return i - 1;
    const have = header ? header.map((h) => `'${h}'`).join(", ") : `1–${width}`;
    throw new DataError(`${path}: --columns: no column '${name}'; the columns are ${have}`);
  });
}

/** A wide (one column per sequence) or long (`sequence,value`) CSV's text; `path` names it in messages. */
export function parseCsv(path: string, text: string, o: ReadOptions): ReadSignal {
  const lines = text.split(/\r?\n/);
  const numbered = lines.map((l, i) => ({ line: i + 1, cells: splitLine(l) })).filter((r, i) => lines[i]!.trim() !== "");
  const first = numbered[0]!;
  const header = decideHeader(first.cells, numbered.slice(1, 200).map((r) => r.cells), o.header);
  const names = header.used ? first.cells.map((c) => c.trim()) : undefined;
  if (names && names.length === 2 && names[0]!.toLowerCase() === "sequence" && names[1]!.toLowerCase() === "value") {
    return readLong(path, numbered.slice(1), o, header);
  }
  const body = header.used ? numbered.slice(1) : numbered;
  if (body.length === 0) throw new DataError(`${path}: a header but no data rows`);
  const width = names?.length ?? body[0]!.cells.length;
  const cols = pickColumns(path, names, width, o.columns);
  const labels = cols.map((c) => names?.[c] || `column ${c + 1}`);
  const seqs: number[][] = cols.map(() => []);
  const dropped = new Map<string, number>();
  // a column may end early (shorter sequence): trailing empty cells are its end, not missing values
  const ends = cols.map((c) => {
    let last = -1;
    body.forEach((r, i) => {
      const cell = r.cells[c] ?? "";
      if (cell.trim() !== "") last = i;
    });
    return last;
  });
  body.forEach((row, i) => {
    if (row.cells.length > width) {
      throw new DataError(`${path}:${row.line}: ${row.cells.length} cells but ${names ? "the header has" : "the first row has"} ${width}; rows must not have extra cells`);
    }
    cols.forEach((c, j) => {
      if (i > ends[j]!) return;
      const cell = row.cells[c] ?? "";
      const s = cell.trim();
      if (MISSING.has(s.toLowerCase())) {
        if (o.missing === "error") {
          throw new DataError(`${path}:${row.line}, column ${c + 1}${names ? ` '${names[c]}'` : ""}: missing value ${s === "" ? "(empty cell)" : `'${s}'`}; use --missing drop to skip missing cells`);
        }
        dropped.set(labels[j]!, (dropped.get(labels[j]!) ?? 0) + 1);
        return;
      }
      const v = Number(s);
      if (!Number.isFinite(v)) {
        const hint = o.columns === undefined && names ? `; pick the numeric columns with --columns (the columns are ${names.map((n) => `'${n}'`).join(", ")})` : "";
        throw new DataError(`${path}:${row.line}, column ${c + 1}${names ? ` '${names[c]}'` : ""}: '${s}' is not a number${hint}`);
      }
      seqs[j]!.push(v);
    });
  });
  return { seqs, labels, header, dropped, format: "wide CSV" };
}

function readLong(path: string, rows: { line: number; cells: string[] }[], o: ReadOptions, header: ReadSignal["header"]): ReadSignal {
  if (rows.length === 0) throw new DataError(`${path}: a header but no data rows`);
  const bySeq = new Map<string, number[]>();
  const dropped = new Map<string, number>();
  for (const { line, cells } of rows) {
    if (cells.length !== 2) throw new DataError(`${path}:${line}: ${cells.length} cells, expected 2 (sequence,value)`);
    const id = cells[0]!.trim();
    if (id === "") throw new DataError(`${path}:${line}: empty sequence id`);
    const list = bySeq.get(id) ?? [];
    bySeq.set(id, list);
    const s = cells[1]!.trim();
    if (MISSING.has(s.toLowerCase())) {
      if (o.missing === "error") throw new DataError(`${path}:${line}, column 2: missing value ${s === "" ? "(empty cell)" : `'${s}'`}; use --missing drop to skip missing cells`);
      dropped.set(id, (dropped.get(id) ?? 0) + 1);
      continue;
    }
    const v = Number(s);
    if (!Number.isFinite(v)) throw new DataError(`${path}:${line}, column 2: '${s}' is not a number`);
    list.push(v);
  }
  let labels = [...bySeq.keys()];
  if (o.columns) {
    for (const c of o.columns) if (!bySeq.has(c)) throw new DataError(`${path}: --columns: no sequence '${c}'; the sequences are ${labels.map((l) => `'${l}'`).join(", ")}`);
    labels = [...o.columns];
  }
  return { seqs: labels.map((l) => bySeq.get(l)!), labels, header, dropped, format: "long CSV (sequence,value)" };
}

/** JSON text `{ "obs": number[][] }`; `null` or NaN is a missing value. */
export function parseJsonSignal(path: string, text: string, o: ReadOptions): ReadSignal {
  const data = parseJson(path, text);
  const obs = (data as { obs?: unknown } | null)?.obs;
  if (!Array.isArray(obs) || obs.length === 0 || !obs.every((r) => Array.isArray(r))) {
    throw new DataError(`${path}: expected an object with "obs": number[][] (one array per sequence)`);
  }
  const dropped = new Map<string, number>();
  const labels = obs.map((_, s) => `seq${s + 1}`);
  const seqs = (obs as unknown[][]).map((seq, s) => {
    const out: number[] = [];
    seq.forEach((v, t) => {
      if (v === null || (typeof v === "number" && Number.isNaN(v))) {
        if (o.missing === "error") throw new DataError(`${path}: obs[${s}][${t}] is missing (null); use --missing drop to skip missing values`);
        dropped.set(labels[s]!, (dropped.get(labels[s]!) ?? 0) + 1);
        return;
      }
      if (typeof v !== "number" || !Number.isFinite(v)) throw new DataError(`${path}: obs[${s}][${t}] is ${JSON.stringify(v)}, expected a finite number`);
      out.push(v);
    });
    return out;
  });
  return { seqs, labels, header: { used: false, why: "JSON has no header" }, dropped, format: "JSON" };
}

/** A file's text: `.json` names as JSON, anything else as CSV (the command line reads the file, the page the dropped one). */
export function parseSignal(path: string, text: string, o: ReadOptions): ReadSignal {
  if (text.trim() === "") throw new DataError(`${path}: the file is empty`);
  return path.toLowerCase().endsWith(".json") ? parseJsonSignal(path, text, o) : parseCsv(path, text, o);
}

/** The one line saying what was read. */
export function describeRead(path: string, sig: ReadSignal): string {
  const lengths = sig.seqs.map((y) => y.length);
  const min = Math.min(...lengths);
  const max = Math.max(...lengths);
  const steps = min === max ? `${min} steps` : `${min}–${max} steps (${lengths.reduce((a, b) => a + b, 0)} values)`;
  const droppedTotal = [...sig.dropped.values()].reduce((a, b) => a + b, 0);
  const dropped = droppedTotal === 0 ? "no missing values" : `dropped ${droppedTotal} missing value(s) (${[...sig.dropped].map(([l, n]) => `${l}: ${n}`).join(", ")})`;
  const header = sig.format === "JSON" ? "" : `header: ${sig.header.used ? "yes" : "no"} (${sig.header.why}); `;
  return `read ${path}: ${sig.format}, ${sig.seqs.length} sequence(s) × ${steps}; ${header}${dropped}`;
}
