/**
 * Lines of a text table: numbered, without their \r\n or \n, from a string
 * (the page's dropped file) or, in file-lines.ts, from a file read in chunks.
 */
import { DataError } from "../errors.js";

/** A longer line is not a table row (a binary file, or one without line breaks): an error, not a string of gigabytes. */
export const MAX_LINE_CHARS = 1 << 20;

/** One numbered line. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** The error for a line over MAX_LINE_CHARS. */
export function lineTooLong(path: string, line: number): DataError {
  return new DataError(`${path}:${line}: a line longer than ${MAX_LINE_CHARS} characters; expected a text table (one row per line)`);
}

/** Each line of `text` and its 1-based number; a leading BOM is dropped. */
export function* textLines(path: string, text: string): Generator<NumberedLine> {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let start = 0;
  let line = 0;
  while (start < t.length) {
    let i = t.indexOf("\n", start);
    if (i < 0) i = t.length;
    if (i - start > MAX_LINE_CHARS) throw lineTooLong(path, line + 1);
    const end = i > start && t.charCodeAt(i - 1) === 13 ? i - 1 : i;
    yield { line: ++line, text: t.slice(start, end) };
    start = i + 1;
  }
}

/** Splits one line at `delimiter`, keeping delimiters inside double quotes; quotes are removed ("" is a quote). */
export function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
