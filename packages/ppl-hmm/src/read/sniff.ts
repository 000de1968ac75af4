/**
 * What a delimited text file's first lines say about it: the delimiter
 * (`,` tab `;` `|`), the decimal mark (a decimal comma in a `;` or tab
 * file), and whether the first row is a header. Each decision says why, for
 * the "read" line; an option decides instead when given.
 */
import { type DecimalMark, isMissing, parseDecimal } from "./cells.js";
import { splitLine } from "./lines.js";

/** `--header`: is the first row a header (auto: decided by `decideHeader`). */
export type HeaderMode = "yes" | "no" | "auto";

const CANDIDATES = ["\t", ";", "|", ","] as const;

/** A delimiter's printable name. */
export function delimiterName(d: string): string {
  return d === "\t" ? "tab" : `'${d}'`;
}

/**
 * The delimiter that splits the sample lines into the same number (> 1) of
 * cells most often; ties go to tab, then `;`, `|`, `,` (a `;` file's decimal
 * commas also split at `,`, but not evenly). One cell per line: `,`.
 */
export function sniffDelimiter(sample: readonly string[]): { delimiter: string; why: string } {
  let best: { delimiter: string; share: number; cells: number } | undefined;
  for (const d of CANDIDATES) {
    const counts = sample.map((l) => splitLine(l, d).length);
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    const [cells, n] = [...freq].reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] > a[0]) ? b : a));
    if (cells < 2) continue;
    const share = n / sample.length;
    if (best === undefined || share > best.share) best = { delimiter: d, share, cells };
  }
  if (best === undefined) return { delimiter: ",", why: "one column" };
  return { delimiter: best.delimiter, why: `detected: ${best.cells} cells per row` };
}

/**
 * A decimal comma when the delimiter is not `,`, some sample cell is digits
 * with a comma (`1,5`) and none has a decimal point.
 */
export function sniffDecimal(rows: readonly (readonly string[])[], delimiter: string): { decimal: DecimalMark; why: string } {
  if (delimiter === ",") return { decimal: ".", why: "the delimiter is ','" };
  let comma = 0;
  let point = 0;
  for (const r of rows) {
    for (const c of r) {
      if (/^\s*[+-]?\d*,\d+([eE][+-]?\d+)?\s*$/.test(c)) comma++;
      else if (/^\s*[+-]?\d*\.\d+([eE][+-]?\d+)?\s*$/.test(c)) point++;
    }
  }
  return comma > 0 && point === 0 ? { decimal: ",", why: `detected: cells like '1,5' and none like '1.5'` } : { decimal: ".", why: "default" };
}

/**
 * `auto`: a header when any cell of the first row is not a number, or when
 * its numbers look like labels the data contradicts: at least two columns,
 * strictly increasing integers (years, 1 2 3 …), each outside the range of
 * the values below it in its column.
 */
export function decideHeader(first: readonly string[], body: readonly (readonly string[])[], mode: HeaderMode, decimal: DecimalMark): { used: boolean; why: string } {
  if (mode === "yes") return { used: true, why: "--header yes" };
  if (mode === "no") return { used: false, why: "--header no" };
  const num = (c: string) => (isMissing(c) ? undefined : parseDecimal(c, decimal));
  const text = first.find((c) => c.trim() !== "" && num(c) === undefined);
  if (text !== undefined) return { used: true, why: `auto: '${text.trim()}' in the first row is not a number` };
  const nums = first.map((c) => num(c) ?? Number.NaN);
  const increasingIntegers = nums.length >= 2 && nums.every((v, i) => Number.isInteger(v) && (i === 0 || v > nums[i - 1]!));
  if (increasingIntegers && body.length > 0) {
    const outside = nums.every((h, c) => {
      const col = body.map((r) => num(r[c] ?? "")).filter((v): v is number => v !== undefined);
      return col.length > 0 && (h < Math.min(...col) || h > Math.max(...col));
    });
    if (outside) return { used: true, why: `auto: the first row (${first.join(",")}) is increasing integers outside every column's values, so it labels the columns` };
  }
  return { used: false, why: "auto: the first row is numeric like the data" };
}
