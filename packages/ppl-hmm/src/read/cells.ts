/**
 * One cell of a table: a missing marker, a number in plain decimal notation
 * (with `.` or, for European files, `,` as the decimal mark), or an error.
 * Nothing else is a number: `0x10`, `1_000`, `Infinity` and `1.234,5` are not
 * read as one (JavaScript's Number() would take the first three).
 */

/** Cells that mean "no value": empty, and the markers spreadsheets, R, pandas, SAS and Stata write. */
export const MISSING_MARKERS = ["", "nan", "na", "n/a", "#n/a", "null", "none", "nil", "missing", "-", ".", "?"] as const;

const MISSING = new Set<string>(MISSING_MARKERS);

/** `--decimal`: the decimal mark of the file's numbers. */
export type DecimalMark = "." | ",";

const POINT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const COMMA = /^[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?$/;

/** True when the (trimmed) cell is a missing marker. */
export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

/** The cell's number, or undefined when it is not a plain decimal number with `decimal` as its mark. */
export function parseDecimal(cell: string, decimal: DecimalMark): number | undefined {
  const s = cell.trim();
  if (decimal === "." ? !POINT.test(s) : !COMMA.test(s)) return undefined;
  const v = Number(decimal === "." ? s : s.replace(",", "."));
  return Number.isFinite(v) ? v : undefined;
}

/** Why a cell that is neither missing nor a number is not read, for the error message. */
export function whyNotNumber(cell: string, decimal: DecimalMark): string {
  const s = cell.trim();
  if (/^[+-]?0[xXbBoO]/.test(s)) return "not a decimal number (hexadecimal, binary and octal are not read)";
  if (decimal === "." && COMMA.test(s) && s.includes(",")) return "not a number with '.' as decimal mark (for decimal commas use --decimal ,)";
  if (decimal === "," && POINT.test(s) && s.includes(".")) return "not a number with ',' as decimal mark (the file was read with --decimal ,)";
  if (/^[+-]?inf(inity)?$/i.test(s)) return "not a finite number";
  if (POINT.test(s) || COMMA.test(s)) return "beyond the range of a double";
  return "not a number";
}
