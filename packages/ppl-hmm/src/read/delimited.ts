/**
 * A delimited text table (CSV, TSV, `;`-separated European CSV, `|`), read
 * from a stream of lines (a file's, or a string's): the first 200 decide the
 * delimiter, the decimal mark and the header, then every row goes to the table.
 */
import { DataError } from "../errors.js";
import type { DecimalMark } from "./cells.js";
import { type NumberedLine, splitLine } from "./lines.js";
import { type HeaderMode, decideHeader, delimiterName, sniffDecimal, sniffDelimiter } from "./sniff.js";
import { type TableOptions, type TableSignal, TableSink, resolveColumns } from "./table.js";

/** How to read a delimited file. */
export interface DelimitedOptions extends TableOptions {
  header: HeaderMode;
  /** The delimiter; detected when absent (tab for a .tsv file). */
  delimiter?: string;
  /** The decimal mark; detected when absent. */
  decimal?: DecimalMark;
}

/** What was read, and how it was decided. */
export interface DelimitedSignal extends TableSignal {
  header: { used: boolean; why: string };
  /** e.g. "delimiter ';' (detected: 2 cells per row), decimal ',' (detected: …)". */
  dialect: string;
}

const SAMPLE = 200;

export function readDelimited(path: string, lines: Iterator<NumberedLine>, o: DelimitedOptions): DelimitedSignal {
  const sample: { line: number; text: string }[] = [];
  let next = lines.next();
  for (; !next.done && sample.length < SAMPLE; next = lines.next()) if (next.value.text.trim() !== "") sample.push(next.value);
  if (sample.length === 0) throw new DataError(`${path}: the file is empty`);
  const d = o.delimiter !== undefined
    ? { delimiter: o.delimiter, why: "--delimiter" }
    : path.toLowerCase().endsWith(".tsv") || path.toLowerCase().endsWith(".tab")
      ? { delimiter: "\t", why: "a .tsv file" }
      : sniffDelimiter(sample.map((s) => s.text));
  const rows = sample.map((s) => ({ line: s.line, cells: splitLine(s.text, d.delimiter) }));
  const dec = o.decimal !== undefined ? { decimal: o.decimal, why: "--decimal" } : sniffDecimal(rows.slice(1).map((r) => r.cells), d.delimiter);
  const header = decideHeader(rows[0]!.cells, rows.slice(1).map((r) => r.cells), o.header, dec.decimal);
  const names = header.used ? rows[0]!.cells.map((c) => c.trim()) : undefined;
  const width = names?.length ?? rows[0]!.cells.length;
  const sink = new TableSink(path, resolveColumns(path, names, width, o), o, dec.decimal);
  const body = header.used ? rows.slice(1) : rows;
  for (const r of body) sink.add(`${path}:${r.line}`, r.cells);
  let rowsRead = body.length;
  for (; !next.done; next = lines.next()) {
    const { line, text } = next.value;
    if (text.trim() === "") continue;
    sink.add(`${path}:${line}`, splitLine(text, d.delimiter));
    rowsRead++;
  }
  if (rowsRead === 0) throw new DataError(`${path}: a header but no data rows`);
  const dialect = `delimiter ${delimiterName(d.delimiter)} (${d.why}), decimal '${dec.decimal}' (${dec.why})`;
  return { ...sink.finish(), header, dialect };
}
