/**
 * ppl-hmm's reader on a file's text (no Node module: the page's worker parses
 * dropped files with it; read-file.ts streams files from disk through the same
 * modules): `.json` names as JSON (read/json.ts), anything else as a delimited
 * table (read/delimited.ts), into one ReadSignal with everything the "read"
 * line reports.
 */
import type { DecimalMark } from "../read/cells.js";
import { type DelimitedSignal, readDelimited } from "../read/delimited.js";
import { type JsonSignal, parseJsonSignal } from "../read/json.js";
import { type NumberedLine, textLines } from "../read/lines.js";
import type { HeaderMode } from "../read/sniff.js";
import type { TableOptions, TableSignal } from "../read/table.js";

export type { DecimalMark } from "../read/cells.js";
export type { HeaderMode } from "../read/sniff.js";
export type { MissingMode } from "../read/table.js";

/** How to read a file (from the command line, or the page's defaults). */
export interface ReadOptions extends TableOptions {
  header: HeaderMode;
  /** The delimiter; detected when absent (tab for a .tsv name). */
  delimiter?: string;
  /** The decimal mark; detected when absent. */
  decimal?: DecimalMark;
}

/** What was read, and how. */
export interface ReadSignal extends TableSignal {
  /** Whether the first row was taken as a header, and why (delimited files). */
  header: { used: boolean; why: string };
  /** e.g. "text table, delimiter ';' (detected: …), decimal ','" or "JSON (array of records)". */
  format: string;
}

/** A JSON reading as a ReadSignal. */
export function fromJson(j: JsonSignal): ReadSignal {
  return { ...j, header: { used: false, why: "JSON has no header" }, format: `JSON (${j.form})` };
}

/** A delimited reading as a ReadSignal. */
export function fromDelimited(d: DelimitedSignal): ReadSignal {
  return { ...d, format: `text table, ${d.dialect}` };
}

/** A delimited table's lines (a file's, or a string's) as sequences. */
export function readTableLines(path: string, lines: Iterator<NumberedLine>, o: ReadOptions): ReadSignal {
  return fromDelimited(readDelimited(path, lines, o));
}

/** A file's text: `.json` names as JSON, anything else as a delimited table. `path` names it in messages. */
export function parseSignal(path: string, text: string, o: ReadOptions): ReadSignal {
  if (path.toLowerCase().endsWith(".json")) return fromJson(parseJsonSignal(path, text, o));
  return readTableLines(path, textLines(path, text), o);
}

/** The one line saying what was read. */
export function describeRead(path: string, sig: ReadSignal): string {
  const lengths = sig.seqs.map((y) => y.length);
  const min = Math.min(...lengths);
  const max = Math.max(...lengths);
  const steps = min === max ? `${min} steps` : `${min}–${max} steps (${lengths.reduce((a, b) => a + b, 0)} values)`;
  const droppedTotal = [...sig.dropped.values()].reduce((a, b) => a + b, 0);
  const dropped = droppedTotal === 0 ? "no missing values" : `dropped ${droppedTotal} missing value(s) (${[...sig.dropped].map(([l, n]) => `${l}: ${n}`).join(", ")})`;
  const header = sig.format.startsWith("JSON") ? "" : `header: ${sig.header.used ? "yes" : "no"} (${sig.header.why}); `;
  const time = sig.timeName === undefined ? "" : `; time column '${sig.timeName}'`;
  return `read ${path}: ${sig.format}, ${sig.layout}, ${sig.seqs.length} sequence(s) × ${steps}; ${header}${dropped}${time}`;
}
